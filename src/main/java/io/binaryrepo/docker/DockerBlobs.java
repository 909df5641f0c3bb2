package io.binaryrepo.docker;

import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.upstream.Traffic;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.util.Map;

/**
 * Blobs: immutable content addressed by digest, shared by all repositories. What is Docker's own: a blob
 * is served through this repository only after its upstream confirmed it for the image name (a download or
 * a HEAD that answered 200; see {@link DockerLinks}), so the guard of a cached blob without a link asks
 * upstream once with a HEAD. Thread-safe.
 */
final class DockerBlobs {
    private final String repo;
    private final DockerLinks links;
    private final UpstreamClient upstream;

    DockerBlobs(String repo, DockerLinks links, UpstreamClient upstream) {
        this.repo = repo;
        this.links = links;
        this.upstream = upstream;
    }

    Resource.Content resource(String name, Digest digest) {
        String what = "blob " + name + "@" + digest;
        Failures failures = DockerResolver.failures("BLOB_UNKNOWN", what);
        return new Resource.Content(DockerLinks.blobKey(digest), "application/octet-stream",
                Map.of("Docker-Content-Digest", digest.toString(), "ETag", "\"" + digest + "\"",
                        "Cache-Control", "max-age=31536000, immutable"),
                repo + "/" + name, () -> confirm(name, digest, what),
                () -> new Resource.Fetch(digest.check(-1), method -> send(method, name, digest)), failures);
    }

    /** Sends GET or HEAD for the blob; a 200 is upstream's confirmation for this name. */
    private UpstreamResponse send(String method, String name, Digest digest) throws IOException {
        UpstreamResponse r = upstream.send(Traffic.forContent(method), method, "/v2/" + name + "/blobs/" + digest, Map.of(),
                DockerResolver.scope(name));
        if (r.status() == 200) {
            links.link(name, digest);
        }
        return r;
    }

    /** Makes sure this repository's upstream has vouched for the blob under {@code name}. */
    private void confirm(String name, Digest digest, String what) throws IOException {
        if (links.linked(name, digest)) {
            return;
        }
        try (UpstreamResponse r = send("HEAD", name, digest)) {
            if (r.status() != 200) {
                throw r.failure(what);
            }
        }
    }
}
