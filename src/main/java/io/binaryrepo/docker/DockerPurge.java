package io.binaryrepo.docker;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Documents;
import io.binaryrepo.repo.Removal;
import java.io.IOException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Purges of one Docker repository (issue 10): an image, a tag or a digest, with their tag records, manifests
 * and links. A blob is shared by every repository ({@code docker/blobs/...}); it is deleted only when no
 * link to it is left in any repository under any name (one walk of {@code docker/repos/} per page of
 * unlinked digests, so memory is bounded by a page). A pull racing a purge at worst finds a link without
 * its blob: a cache miss, fetched from upstream again, never an error. Thread-safe (no state).
 */
final class DockerPurge {
    private static final String REPOS = "docker/repos/";
    private static final int PAGE = 1000;

    private final String prefix;
    private final Storage storage;
    private final Documents documents;

    /** @param prefix {@code docker/repos/REPO/} */
    DockerPurge(String prefix, Storage storage, Documents documents) {
        this.prefix = prefix;
        this.storage = storage;
        this.documents = documents;
    }

    /** Everything of image {@code name} in this repository, and its blobs nobody else links. */
    Removal.Tally image(String name) throws IOException {
        Removal r = new Removal(storage, documents);
        String start = prefix + name + "/_";
        String after = null;
        while (true) {
            Storage.Page page = storage.list(start, after, PAGE);
            Set<String> unlinked = new HashSet<>();
            for (Storage.Item item : page.items()) {
                int links = item.key().indexOf("/_links/", prefix.length() + name.length());
                if (links >= 0) {
                    unlinked.add(item.key().substring(links + "/_links/".length()));
                }
                r.entry(item.key());
            }
            deleteUnlinkedBlobs(unlinked, r);
            if (page.next().isEmpty()) {
                return r.tally();
            }
            after = page.next().get();
        }
    }

    /** The records of one tag (every Accept variant) and the image's tag list, so both are fetched anew. */
    Removal.Tally tag(String name, String tag) throws IOException {
        Removal r = new Removal(storage, documents);
        String image = prefix + name;
        r.entry(image + "/_tags/" + tag);
        forEach(image + "/_accept/", key -> {
            if (key.endsWith("/" + tag)) {
                r.entry(key);
            }
        });
        r.entry(image + "/_taglist");
        return r.tally();
    }

    /** The manifest or blob {@code digest} of image {@code name}, and the tags that point at it. */
    Removal.Tally digest(String name, Digest digest) throws IOException {
        Removal r = new Removal(storage, documents);
        String image = prefix + name;
        r.entry(image + "/_manifests/" + digest.keyPath());
        KeyAction ifPointing = key -> {
            Optional<MutableDocuments.Document> d = documents.peek(key);
            if (d.isPresent() && digest.toString().equals(d.get().etag())) {
                r.entry(key);
            }
        };
        forEach(image + "/_tags/", ifPointing);
        forEach(image + "/_accept/", ifPointing);
        String link = image + "/_links/" + digest.keyPath();
        if (storage.exists(link)) {
            r.entry(link);
            deleteUnlinkedBlobs(Set.of(digest.keyPath()), r);
        }
        return r.tally();
    }

    /** Deletes the blobs of {@code keyPaths} ({@code ALG/xx/HEX}) that no repository links any more. */
    private void deleteUnlinkedBlobs(Set<String> keyPaths, Removal r) throws IOException {
        if (keyPaths.isEmpty()) {
            return;
        }
        Set<String> candidates = new HashSet<>(keyPaths);
        forEach(REPOS, key -> {
            int links = key.indexOf("/_links/");
            if (links >= 0) {
                candidates.remove(key.substring(links + "/_links/".length()));
            }
        });
        for (String keyPath : candidates) {
            r.entry("docker/blobs/" + keyPath);
        }
    }

    private interface KeyAction {
        void accept(String key) throws IOException;
    }

    private void forEach(String keyPrefix, KeyAction action) throws IOException {
        String after = null;
        while (true) {
            Storage.Page page = storage.list(keyPrefix, after, PAGE);
            for (Storage.Item item : page.items()) {
                action.accept(item.key());
            }
            if (page.next().isEmpty()) {
                return;
            }
            after = page.next().get();
        }
    }
}
