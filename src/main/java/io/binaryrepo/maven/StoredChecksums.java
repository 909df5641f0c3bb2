package io.binaryrepo.maven;

import io.binaryrepo.cache.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The checksums of cached artifacts, computed from the committed bytes (so a checksum file or
 * {@code X-Checksum-Sha1} header binaryrepo sends always matches the bytes it sends, whatever upstream's
 * sidecar said) and recorded next to them on first use: the file is read once per algorithm, in 64 KiB
 * chunks (bounded memory whatever its size). Artifacts are immutable, so a record never goes stale.
 * Thread-safe: two threads computing the same record write the same bytes atomically.
 */
final class StoredChecksums {
    private static final int CHUNK = 64 * 1024;
    private final Storage storage;
    private final String keyPrefix;

    /** @param keyPrefix the repository's storage key prefix, ending with {@code /} */
    StoredChecksums(Storage storage, String keyPrefix) {
        this.storage = storage;
        this.keyPrefix = keyPrefix;
    }

    /**
     * The {@code a} checksum (lowercase hex) of the cached {@code artifact}; empty when it is not cached.
     *
     * @throws IOException when the cache cannot be read
     */
    Optional<String> of(MavenPath artifact, ChecksumAlgorithm a) throws IOException {
        String recordKey = keyPrefix + artifact.checksumKey(a);
        Optional<byte[]> record = storage.read(recordKey, 256);
        if (record.isPresent()) {
            Optional<String> hex = a.hex(new String(record.get(), StandardCharsets.US_ASCII));
            if (hex.isPresent()) {
                return hex;
            }
        }
        Optional<Storage.Entry> entry = storage.get(keyPrefix + artifact.key());
        if (entry.isEmpty()) {
            return Optional.empty();
        }
        String hex = digest(entry.get(), a.newDigest());
        try {
            storage.put(recordKey, hex.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            // A full disk costs a re-computation next time, nothing else.
        }
        return Optional.of(hex);
    }

    private static String digest(Storage.Entry entry, MessageDigest md) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        try (SeekableByteChannel ch = entry.open()) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
