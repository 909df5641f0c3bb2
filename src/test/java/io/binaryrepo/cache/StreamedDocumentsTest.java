package io.binaryrepo.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.binaryrepo.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Documents a fetcher writes into the spool ({@link MutableDocuments.Streamed}, issue 17): one larger than a
 * quarter of the memory budget is committed and kept on disk only (its body read from the entry, also after a
 * restart and after a 304); a smaller one is held like any other; one past the policy's limit is refused and
 * nothing is stored.
 */
class StreamedDocumentsTest {
    private static final int BUDGET = 64 * 1024; // large: over 16 KiB
    private static final MutableDocuments.Policy POLICY =
            new MutableDocuments.Policy(Duration.ofMinutes(5), Duration.ofMinutes(1), 1024 * 1024);

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock();

    private MutableDocuments documents() throws IOException {
        return new MutableDocuments(new FileStorage(tmp), clock, BUDGET);
    }

    /** Writes {@code body} into the spool; answers 304 to a conditional request. */
    private static MutableDocuments.Fetcher streaming(byte[] body) {
        return new MutableDocuments.Fetcher() {
            @Override
            public MutableDocuments.Answer fetch(String etag, String lastModified) {
                throw new AssertionError("the spool variant must be called");
            }

            @Override
            public MutableDocuments.Answer fetch(String etag, String lastModified, MutableDocuments.Spool spool)
                    throws IOException {
                if (etag != null) {
                    return new MutableDocuments.NotModified();
                }
                OutputStream out = spool.open("application/x-yaml", "\"e1\"", null, Map.of());
                for (int i = 0; i < body.length; i += 1000) {
                    out.write(body, i, Math.min(1000, body.length - i));
                }
                return new MutableDocuments.Streamed();
            }
        };
    }

    private static byte[] read(StoredBody b) throws IOException {
        try (InputStream in = b.open()) {
            return in.readAllBytes();
        }
    }

    @Test
    void largeStreamedDocument_keptOnDiskOnly_readFromTheEntry_alsoAfterRestartAnd304() throws Exception {
        byte[] body = new byte[200_000];
        new Random(1).nextBytes(body);
        MutableDocuments.Document d = documents().get("helm/r/index.yaml", POLICY, streaming(body));
        assertNotNull(d.stored());
        assertThrows(IllegalStateException.class, d::body);
        assertEquals(body.length, d.stored().length());
        assertArrayEquals(body, read(d.stored()));
        assertEquals("application/x-yaml", d.contentType());

        MutableDocuments restarted = documents();
        MutableDocuments.Document again = restarted.get("helm/r/index.yaml", POLICY, (e, lm) -> {
            throw new AssertionError("fresh on disk: upstream not asked");
        });
        assertNotNull(again.stored());
        assertArrayEquals(body, read(again.stored()));
        assertEquals("\"e1\"", again.etag());

        clock.advance(Duration.ofMinutes(6));
        MutableDocuments.Document revalidated = restarted.get("helm/r/index.yaml", POLICY, streaming(body));
        assertEquals(clock.millis(), revalidated.fetchedAt(), "the 304 renewed it");
        assertArrayEquals(body, read(revalidated.stored()));
    }

    @Test
    void smallStreamedDocument_heldInMemory() throws Exception {
        byte[] body = "apiVersion: v1\nentries: {}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        MutableDocuments.Document d = documents().get("helm/r/index.yaml", POLICY, streaming(body));
        assertNull(d.stored());
        assertArrayEquals(body, d.body());
        assertArrayEquals(body, documents().get("helm/r/index.yaml", POLICY, streaming(new byte[0])).body(),
                "stored too, read back after a restart");
    }

    @Test
    void streamedDocumentPastTheLimit_refused_nothingStored() throws Exception {
        MutableDocuments docs = documents();
        byte[] body = new byte[POLICY.maxBytes() + 1];
        assertThrows(DocumentTooLargeException.class, () -> docs.get("helm/r/index.yaml", POLICY, streaming(body)));
        FileStorage storage = new FileStorage(tmp);
        assertEquals(false, storage.exists("helm/r/index.yaml"));
    }
}
