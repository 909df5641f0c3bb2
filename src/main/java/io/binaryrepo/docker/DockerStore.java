package io.binaryrepo.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.binaryrepo.cache.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Docker cache layout of one repository on top of {@link Storage}:
 * <pre>
 *   docker/blobs/sha256/ab/abcd...              blob content (shared by all repositories)
 *   docker/manifests/sha256/ab/abcd...          manifest bytes, exactly as fetched
 *   docker/manifests/sha256/ab/abcd....type     its media type
 *   docker/repos/REPO/NAME/_tags/TAG            tag record (JSON: digest, media type, fetched at)
 *   docker/repos/REPO/NAME/_links/sha256/ab/..  this repository's upstream confirmed the digest for NAME
 *   docker/repos/REPO/NAME/_taglist             tags/list document and when it was fetched
 * </pre>
 * Content is shared; links keep a blob cached through one repository from being served through another
 * whose upstream never confirmed it (a private image must not leak through an anonymous repository).
 * Tag records and recent manifests are also kept in memory so that a tag within its TTL is served
 * without touching the disk. Thread-safe.
 */
final class DockerStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_TAG_RECORD = 64 * 1024;
    private static final int MAX_TAGLIST = Manifest.MAX_SIZE;
    /** Manifests kept in memory; they are small and every pull asks for them. */
    private static final long MEMORY_MANIFEST_BYTES = 16L * 1024 * 1024;

    record TagRecord(Digest digest, String mediaType, long fetchedAt) {
    }

    record TagList(byte[] body, long fetchedAt) {
    }

    private final String repo;
    private final Storage storage;
    private final ConcurrentHashMap<String, TagRecord> tags = new ConcurrentHashMap<>();
    /** Lock-free: every manifest request reads it (the hot path of a pull). Evicts arbitrary entries when over budget. */
    private final ConcurrentHashMap<Digest, Manifest> recent = new ConcurrentHashMap<>();
    private final AtomicLong recentBytes = new AtomicLong();

    DockerStore(String repo, Storage storage) {
        this.repo = repo;
        this.storage = storage;
    }

    Storage storage() {
        return storage;
    }

    static String blobKey(Digest d) {
        return "docker/blobs/" + d.keyPath();
    }

    private static String manifestKey(Digest d) {
        return "docker/manifests/" + d.keyPath();
    }

    private String repoKey(String name) {
        return "docker/repos/" + repo + "/" + name;
    }

    Optional<Manifest> manifest(Digest d) throws IOException {
        Manifest m0 = recent.get(d);
        if (m0 != null) {
            return Optional.of(m0);
        }
        Optional<byte[]> type = storage.read(manifestKey(d) + ".type", 1024);
        if (type.isEmpty()) {
            return Optional.empty();
        }
        Optional<byte[]> body = storage.read(manifestKey(d), Manifest.MAX_SIZE);
        if (body.isEmpty()) {
            return Optional.empty();
        }
        Manifest m = new Manifest(d, new String(type.get(), StandardCharsets.UTF_8), body.get());
        remember(m);
        return Optional.of(m);
    }

    /** Stores a verified manifest (its digest was checked against its bytes). */
    void putManifest(Manifest m) throws IOException {
        // The type first: a manifest whose bytes are visible always has its type.
        storage.put(manifestKey(m.digest()) + ".type", m.mediaType().getBytes(StandardCharsets.UTF_8));
        storage.put(manifestKey(m.digest()), m.body());
        remember(m);
    }

    private void remember(Manifest m) {
        if (recent.putIfAbsent(m.digest(), m) == null) {
            recentBytes.addAndGet(m.body().length);
        }
        var it = recent.values().iterator();
        while (recentBytes.get() > MEMORY_MANIFEST_BYTES && it.hasNext()) {
            Manifest victim = it.next();
            if (recent.remove(victim.digest(), victim)) {
                recentBytes.addAndGet(-victim.body().length);
            }
        }
    }

    Optional<TagRecord> tag(String name, String tag) throws IOException {
        String key = repoKey(name) + "/_tags/" + tag;
        TagRecord r = tags.get(key);
        if (r != null) {
            return Optional.of(r);
        }
        Optional<byte[]> bytes = storage.read(key, MAX_TAG_RECORD);
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(bytes.get());
            r = new TagRecord(Digest.parse(n.get("digest").asText()), n.get("mediaType").asText(),
                    n.get("fetchedAt").asLong());
        } catch (IOException | RuntimeException e) {
            // A damaged record is a cache miss, not an error: upstream is asked again.
            return Optional.empty();
        }
        tags.putIfAbsent(key, r);
        return Optional.of(r);
    }

    void putTag(String name, String tag, TagRecord r) throws IOException {
        String key = repoKey(name) + "/_tags/" + tag;
        ObjectNode n = JSON.createObjectNode();
        n.put("digest", r.digest().toString());
        n.put("mediaType", r.mediaType());
        n.put("fetchedAt", r.fetchedAt());
        storage.put(key, JSON.writeValueAsBytes(n));
        tags.put(key, r);
    }

    boolean linked(String name, Digest d) throws IOException {
        return storage.exists(repoKey(name) + "/_links/" + d.keyPath());
    }

    void link(String name, Digest d) throws IOException {
        String key = repoKey(name) + "/_links/" + d.keyPath();
        if (!storage.exists(key)) {
            storage.put(key, new byte[0]);
        }
    }

    Optional<TagList> tagList(String name) throws IOException {
        Optional<byte[]> meta = storage.read(repoKey(name) + "/_taglist.at", 64);
        Optional<byte[]> body = storage.read(repoKey(name) + "/_taglist", MAX_TAGLIST);
        if (meta.isEmpty() || body.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new TagList(body.get(), Long.parseLong(new String(meta.get(), StandardCharsets.US_ASCII))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    void putTagList(String name, TagList list) throws IOException {
        storage.put(repoKey(name) + "/_taglist", list.body());
        storage.put(repoKey(name) + "/_taglist.at", Long.toString(list.fetchedAt()).getBytes(StandardCharsets.US_ASCII));
    }
}
