package io.binaryrepo.docker;

import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Documents;
import io.binaryrepo.repo.Inventory;
import io.binaryrepo.repo.KeyInventory;
import io.binaryrepo.repo.ProxyError;
import java.util.Set;

/**
 * What one Docker repository holds (issue 10's admin API), in the layout of {@link DockerLinks} and
 * {@link DockerManifests}: {@code docker/repos/REPO/NAME/_tags/TAG}, {@code _accept/ID/TAG},
 * {@code _manifests/ALG/xx/HEX}, {@code _links/ALG/xx/HEX} (standing for the shared blob
 * {@code docker/blobs/ALG/xx/HEX}), {@code _taglist}, {@code _referrers/...}. Client-facing names:
 * {@code NAME:TAG} for a tag, {@code NAME@ALG:HEX} for a manifest or a blob, {@code NAME/tags/list},
 * {@code NAME/referrers/ALG:HEX}. Image names never have a component starting with {@code _}, so
 * {@code NAME/_} is exactly one image's records (not those of {@code NAME/sub}). Thread-safe.
 */
final class DockerInventory implements Inventory {
    private final String prefix;
    private final boolean dockerHub;
    private final DockerPurge purge;

    DockerInventory(String repo, boolean dockerHub, Storage storage, Documents documents) {
        this.prefix = "docker/repos/" + repo + "/";
        this.dockerHub = dockerHub;
        this.purge = new DockerPurge(prefix, storage, documents);
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public String listingPrefix(String clientPrefix) {
        return prefix + KeyInventory.checkedPrefix(clientPrefix);
    }

    @Override
    public Listed describe(String key) {
        String rest = key.substring(prefix.length());
        int mark = rest.indexOf("/_");
        if (mark < 0) {
            return new Listed(rest, key);
        }
        String name = rest.substring(0, mark);
        String[] s = rest.substring(mark + 1).split("/");
        switch (s[0]) {
            case "_tags":
                return new Listed(name + ":" + s[s.length - 1], key);
            case "_accept":
                return new Listed(name + ":" + s[s.length - 1] + " (accept " + s[1] + ")", key);
            case "_manifests":
                return s.length == 4 ? new Listed(name + "@" + s[1] + ":" + s[3], key) : new Listed(rest, key);
            case "_links":
                return s.length == 4 ? new Listed(name + "@" + s[1] + ":" + s[3], "docker/blobs/" + s[1] + "/" + s[2]
                        + "/" + s[3]) : new Listed(rest, key);
            case "_taglist":
                return new Listed(name + "/tags/list", key);
            case "_referrers":
                return s.length == 4 ? new Listed(name + "/referrers/" + s[1] + ":" + s[3], key) : new Listed(rest, key);
            default:
                return new Listed(rest, key);
        }
    }

    @Override
    public Purge purge(String path) {
        Reference r = Reference.parse(path, dockerHub, false);
        if (r.digest() != null) {
            return () -> purge.digest(r.name(), r.digest());
        }
        if (r.tag() != null) {
            return () -> purge.tag(r.name(), r.tag());
        }
        return () -> purge.image(r.name());
    }

    @Override
    public Prefetch prefetch(String reference, Set<String> platforms) {
        Reference r = Reference.parse(reference, dockerHub, true);
        for (String p : platforms) {
            if (!p.matches("[a-z0-9]+/[a-z0-9_.-]+(/[a-z0-9_.-]+)?")) {
                throw new ProxyError(400, "INVALID", "platform '" + p + "' is not os/architecture[/variant]");
            }
        }
        return fetcher -> new DockerPrefetch(r.name(), platforms, fetcher).run(r.tag() != null ? r.tag()
                : r.digest().toString());
    }

    /**
     * A client-facing Docker reference: {@code NAME}, {@code NAME:TAG} or {@code NAME@DIGEST}, checked with
     * the pull API's grammar ({@link DockerPath}); on Docker Hub a one-component name gets {@code library/}.
     */
    record Reference(String name, String tag, Digest digest) {
        static Reference parse(String text, boolean dockerHub, boolean needsReference) {
            if (text == null || text.isEmpty() || text.length() > 512) {
                throw bad(text == null || text.isEmpty() ? "empty reference" : "reference longer than 512 characters");
            }
            int at = text.indexOf('@');
            int colon = text.indexOf(':', text.lastIndexOf('/') + 1);
            String name = at >= 0 ? text.substring(0, at) : colon >= 0 ? text.substring(0, colon) : text;
            String ref = at >= 0 ? text.substring(at + 1) : colon >= 0 ? text.substring(colon + 1) : null;
            if (ref == null && needsReference) {
                ref = "latest";
            }
            DockerPath p;
            try {
                p = DockerPath.parse("v2/" + name + "/manifests/" + (ref == null ? "latest" : ref), "GET");
            } catch (ProxyError e) {
                throw bad("'" + abbreviate(text) + "': " + e.getMessage());
            }
            if (at >= 0 && p.digest() == null) {
                throw bad("'" + abbreviate(text) + "': expected NAME@sha256:<64 hex> after '@'");
            }
            String full = dockerHub && p.name().indexOf('/') < 0 ? "library/" + p.name() : p.name();
            return new Reference(full, ref == null ? null : p.tag(), p.digest());
        }

        private static ProxyError bad(String message) {
            return new ProxyError(400, "INVALID", "not a Docker reference (NAME, NAME:TAG or NAME@DIGEST): " + message);
        }

        private static String abbreviate(String s) {
            return s.length() <= 100 ? s : s.substring(0, 100) + "...";
        }
    }
}
