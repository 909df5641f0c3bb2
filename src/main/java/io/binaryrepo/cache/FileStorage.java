package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@link Storage} on a local file system. Entries are files under the root; spool files live in
 * {@code <root>/.spool} so that a commit is a same-file-system atomic rename. Thread-safe.
 */
public final class FileStorage implements Storage {
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,254}");
    static final String SPOOL_DIR = ".spool";

    private final Path root;
    private final Path spool;

    /** Creates the root and spool directories if needed. */
    public FileStorage(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.spool = this.root.resolve(SPOOL_DIR);
        Files.createDirectories(this.spool);
    }

    public Path root() {
        return root;
    }

    /** Maps a key to its file, refusing any key that is not a plain relative path inside the root. */
    Path path(String key) {
        if (key == null || key.isEmpty() || key.length() > 1024) {
            throw new IllegalArgumentException("invalid storage key");
        }
        for (String segment : key.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches() || segment.equals("..") || segment.equals(".")) {
                throw new IllegalArgumentException("invalid storage key segment '" + segment + "'");
            }
        }
        Path p = root.resolve(key).normalize();
        // Belt and braces: the grammar above already forbids escaping the root.
        if (!p.startsWith(root) || p.equals(root) || p.startsWith(spool)) {
            throw new IllegalArgumentException("storage key outside the cache root");
        }
        return p;
    }

    @Override
    public Optional<Entry> get(String key) throws IOException {
        Path p = path(key);
        try {
            long size = Files.size(p);
            if (!Files.isRegularFile(p)) {
                return Optional.empty();
            }
            return Optional.of(new FileEntry(p, size));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(path(key));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Created with the process umask's permissions (unlike {@code Files.createTempFile}'s fixed 0600),
     * so that a frontend sending cached files itself ({@code binaryrepo.offload}) can read them when ops
     * grant it access through the umask and group (Debian's tomcat10 unit: {@code UMask=0027}, nginx's user
     * in the tomcat group).
     */
    @Override
    public Path createSpoolFile() throws IOException {
        return Files.createFile(spool.resolve("dl-" + UUID.randomUUID() + ".part"));
    }

    @Override
    public void commit(String key, Path spoolFile) throws IOException {
        Path target = path(key);
        Files.createDirectories(target.getParent());
        try {
            Files.move(spoolFile, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cache root does not support atomic rename: " + root, e);
        }
    }

    @Override
    public void put(String key, byte[] value) throws IOException {
        Path tmp = createSpoolFile();
        try {
            Files.write(tmp, value, StandardOpenOption.TRUNCATE_EXISTING);
            commit(key, tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Optional<byte[]> read(String key, int maxBytes) throws IOException {
        Path p = path(key);
        try {
            if (Files.size(p) > maxBytes) {
                throw new IOException("cache entry " + key + " is larger than " + maxBytes + " bytes");
            }
            return Optional.of(Files.readAllBytes(p));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(path(key));
    }

    @Override
    public int removeSpoolLeftovers() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spool)) {
            for (Path f : files) {
                if (Files.deleteIfExists(f)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        // nothing held open
    }

    private static final class FileEntry implements Entry {
        private final Path file;
        private final long size;

        FileEntry(Path file, long size) {
            this.file = file;
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public SeekableByteChannel open() throws IOException {
            return Files.newByteChannel(file, StandardOpenOption.READ);
        }

        @Override
        public Optional<Path> file() {
            return Optional.of(file);
        }
    }
}
