package io.binaryrepo.docker;

import io.binaryrepo.cache.Storage;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which blobs this repository's upstream confirmed for an image name:
 * <pre>
 *   docker/blobs/sha256/ab/abcd...              blob content (shared by all repositories)
 *   docker/repos/REPO/NAME/_links/sha256/ab/..  this repository's upstream confirmed the digest for NAME
 * </pre>
 * Blob content is shared; links keep a blob cached through one repository from being served through another
 * whose upstream never confirmed it (a private image must not leak through an anonymous repository). A link
 * is written only when upstream itself answered 200 for the blob under the name (a download or a HEAD),
 * never because a manifest lists the digest: a manifest crafted upstream could otherwise name another
 * repository's private blob. Manifests, tags and tag lists are documents ({@link DockerManifests},
 * {@link DockerTagLists}). Thread-safe.
 */
final class DockerLinks {
    private static final Logger LOG = LoggerFactory.getLogger(DockerLinks.class);

    private final String repo;
    private final Storage storage;

    DockerLinks(String repo, Storage storage) {
        this.repo = repo;
        this.storage = storage;
    }

    static String blobKey(Digest d) {
        return "docker/blobs/" + d.keyPath();
    }

    /** The key prefix of one image name's records in this repository. */
    String repoKey(String name) {
        return "docker/repos/" + repo + "/" + name;
    }

    boolean linked(String name, Digest d) throws IOException {
        return storage.exists(repoKey(name) + "/_links/" + d.keyPath());
    }

    /** Records the confirmation; best effort: a full disk costs one more upstream HEAD later, never a pull. */
    void link(String name, Digest d) {
        String key = repoKey(name) + "/_links/" + d.keyPath();
        try {
            if (!storage.exists(key)) {
                storage.put(key, new byte[0]);
            }
        } catch (IOException e) {
            LOG.warn("repository {}: could not record {} for {}: {}", repo, d, name, e.toString());
        }
    }
}
