package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The stored form of an index: records found by a byte scan, served with the repository URL filled in. */
class StoredIndexTest {
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void proxiedRecord_isServedAsAUrlUnderTheRepository_andResolvesToItsUpstreamUrl() throws Exception {
        String stored = "urls:\n- \"\u0001" + TOKEN + "/a-1.tgz\u0002https://dl.example/a-1.tgz\u0002" + "f".repeat(64)
                + "\u0003\"\nname: caf\u00e9\n";
        StoredIndex index = StoredIndex.of(bytes(stored));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] repo = bytes("http://cache/repo/helm");
        index.writeTo(out, repo);
        assertEquals("urls:\n- \"http://cache/repo/helm/_charts/" + TOKEN + "/a-1.tgz\"\nname: caf\u00e9\n",
                out.toString(StandardCharsets.UTF_8));
        assertEquals(out.size(), index.servedLength(repo));
        ChartRef ref = index.proxied(TOKEN).orElseThrow();
        assertEquals("https://dl.example/a-1.tgz", ref.url());
        assertEquals("f".repeat(64), ref.sha256());
        assertTrue(index.proxied("f".repeat(32)).isEmpty());
    }

    @Test
    void relativeRecord_isInvisible_andResolvesByPath() throws Exception {
        String stored = "urls:\n- charts/a.tgz\u0004charts/a.tgz\u0002https://up/charts/a.tgz\u0002\u0003\n";
        StoredIndex index = StoredIndex.of(bytes(stored));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        index.writeTo(out, bytes("http://x"));
        assertEquals("urls:\n- charts/a.tgz\n", out.toString(StandardCharsets.UTF_8));
        ChartRef ref = index.relative("charts/a.tgz").orElseThrow();
        assertEquals("https://up/charts/a.tgz", ref.url());
        assertEquals(null, ref.sha256(), "an empty digest field means none");
    }

    @Test
    void unterminatedRecord_isADamagedDocument() {
        assertThrows(IllegalArgumentException.class, () -> StoredIndex.of(bytes("x: \"\u0001" + TOKEN + "/a\u0002http://u")));
    }
}
