package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Resource;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PackumentRenderingTest {
    private static final String UPSTREAM = "https://registry.example.com";
    private final PackumentRendering rendering = new PackumentRendering(
            new PackumentWriter(new TarballUrls(URI.create(UPSTREAM)), 1 << 20));

    private static MutableDocuments.Document doc(byte[] body) {
        return new MutableDocuments.Document(body, "application/json", "\"up\"", null, 0, 0);
    }

    private static byte[] written(Resource.Rendered r) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.writeTo(out);
        return out.toByteArray();
    }

    private static String etagOf(byte[] b, String tag) throws Exception {
        return "\"" + tag + "-" + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(MessageDigest.getInstance("SHA-256").digest(b)).substring(0, 32) + "\"";
    }

    @Test
    void packument_lengthAndEtagDescribeExactlyTheBytesWritten_smallAndLarge() throws Exception {
        byte[] small = PackumentWriterTest.PACKUMENT.getBytes(StandardCharsets.UTF_8);
        byte[] large;
        try (InputStream in = new LargePackument(3L * PackumentRendering.MAX_KEPT_ONE, UPSTREAM)) {
            large = in.readAllBytes(); // rendered again on every hit: too large to keep
        }
        for (byte[] body : new byte[][] {small, large}) {
            for (Variant v : Variant.values()) {
                Resource.Rendered r = rendering.packument("k", doc(body), v, "https://cache.example.com/repo/npm");
                byte[] out = written(r);
                assertEquals(out.length, r.length(), v + " length");
                assertEquals(etagOf(out, v == Variant.FULL ? "f" : "a"), r.headers().get("ETag"), v + " ETag");
                assertEquals("Accept", r.headers().get("Vary"));
                assertEquals(v.contentType(), r.contentType());
                byte[] again = written(rendering.packument("k", doc(body), v, "https://cache.example.com/repo/npm"));
                assertEquals(out.length, again.length);
            }
        }
    }

    @Test
    void packument_newDocumentOrOtherUrl_getsItsOwnEtag() throws Exception {
        byte[] a = PackumentWriterTest.PACKUMENT.getBytes(StandardCharsets.UTF_8);
        byte[] b = PackumentWriterTest.PACKUMENT.replace("1.1.0\"}", "2.0.0\"}").getBytes(StandardCharsets.UTF_8);
        String url = "https://cache.example.com/repo/npm";
        String ea = rendering.packument("k", doc(a), Variant.FULL, url).headers().get("ETag");
        String eb = rendering.packument("k", doc(b), Variant.FULL, url).headers().get("ETag");
        String other = rendering.packument("k", doc(b), Variant.FULL, "https://other.example.com/repo/npm")
                .headers().get("ETag");
        assertNotEquals(ea, eb, "a new document under the same key is rendered again");
        assertNotEquals(eb, other, "tarball URLs are part of the answer");
    }
}
