package io.binaryrepo.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.FakeRegistry.BlobMode;
import io.binaryrepo.testing.ProxyServer;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Issue 17 through the whole webapp: a registry redirecting a blob to an internal host that is not in
 * allowedHosts makes binaryrepo answer 502 with a message saying how to allow it, and nothing reaches
 * the internal host.
 */
class ProxyRefusalTest extends ComponentTest {

    @Test
    void blobRedirectToAnInternalHostNotInAllowedHosts_answers502_andTheHostGetsNothing() throws Exception {
        FakeRegistry up = upstream(true);
        FakeRegistry.Image img = up.putImage("library/cdn", "1", random(10_000, 1));
        ProxyServer p = proxy(tmp.resolve("cache"), "repositories:\n  - name: hub\n    type: docker\n    url: "
                + up.url() + "\n");
        up.blobMode = BlobMode.REDIRECT;

        HttpResponse<byte[]> r = get(p, "/v2/hub/library/cdn/blobs/" + img.layerDigests().get(0));

        assertEquals(502, r.statusCode());
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertTrue(body.contains(up.cdnHost()) && body.contains("allowedHosts"), body);
        assertEquals(0, up.cdnRequests().size(), "the redirect target must not be contacted");
        assertEquals(200, get(p, "/v2/hub/library/cdn/manifests/1",
                "Accept", "application/vnd.oci.image.manifest.v1+json").statusCode(), "the registry itself still works");
    }

    @Test
    void malformedAllowedHostsEntry_stopsTheWebappNamingFileRepositoryAndField() throws Exception {
        FakeRegistry up = upstream(false);
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> proxy(tmp.resolve("cache"),
                "repositories:\n  - name: hub\n    type: docker\n    url: " + up.url()
                        + "\n    allowedHosts: [\"https://cdn.example/path\"]\n"));
        assertTrue(e.getMessage().contains("cache-repositories.yaml: repository 'hub': field 'allowedHosts': entry #1")
                && e.getMessage().contains("must be host or host:port"), e.getMessage());
    }
}
