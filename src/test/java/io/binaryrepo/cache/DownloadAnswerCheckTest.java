package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download verified against the check its upstream answer states ({@link UpstreamBody#check}), which
 * replaces the check planned before upstream answered (Maven's {@code X-Checksum-Sha1}).
 */
class DownloadAnswerCheckTest {
    @TempDir
    Path tmp;

    @Test
    void answerCheck_replacesThePlannedCheck_matchingContentIsCommitted() throws Exception {
        byte[] data = data();
        ContentCheck stated = new ContentCheck("SHA-1", sha1(data), -1);
        try (Downloads downloads = new Downloads(new FileStorage(tmp))) {
            FileStorage storage = new FileStorage(tmp);
            Download d = downloads.join("k/ok", "o", () -> body(data, stated),
                    new ContentCheck("SHA-1", sha1(new byte[] {1}), -1), () -> { });
            d.awaitHead(Duration.ofSeconds(10));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            d.copyTo(out, 0, -1);
            assertArrayEquals(data, out.toByteArray());
            assertTrue(storage.exists("k/ok"), "the planned check would have refused it; the answer's accepted it");
        }
    }

    @Test
    void answerCheck_mismatch_isNeverCommitted() throws Exception {
        byte[] data = data();
        ContentCheck stated = new ContentCheck("SHA-1", sha1(new byte[] {2}), -1);
        try (Downloads downloads = new Downloads(new FileStorage(tmp))) {
            FileStorage storage = new FileStorage(tmp);
            Download d = downloads.join("k/bad", "o", () -> body(data, stated),
                    ContentCheck.sizeOnly(-1), () -> { });
            d.awaitHead(Duration.ofSeconds(10));
            assertThrows(IOException.class, () -> d.copyTo(new ByteArrayOutputStream(), 0, -1));
            assertFalse(storage.exists("k/bad"), "the planned size-only check would have accepted it");
        }
    }

    private static byte[] data() {
        byte[] b = new byte[200_000];
        new Random(5).nextBytes(b);
        return b;
    }

    private static String sha1(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    }

    private static UpstreamBody body(byte[] data, ContentCheck stated) {
        InputStream in = new ByteArrayInputStream(data);
        return new UpstreamBody() {
            @Override
            public long length() {
                return data.length;
            }

            @Override
            public String contentType() {
                return "application/octet-stream";
            }

            @Override
            public InputStream stream() {
                return in;
            }

            @Override
            public ContentCheck check(ContentCheck planned) {
                return stated;
            }

            @Override
            public void close() {
            }
        };
    }
}
