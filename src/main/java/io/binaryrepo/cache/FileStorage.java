package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * {@link Storage} on a local file system. Entries are files under the root; spool files live in
 * {@code <root>/.spool} so that a commit is a same-file-system atomic rename. Commits are durable
 * (data forced before the rename, directory synced after it). A clean shutdown ({@link #close()}) leaves
 * the marker {@code <root>/.clean-shutdown}; opening a non-empty root without it reports an
 * {@link #uncleanShutdown()} for {@link CrashRecovery}. Free space is watched by a {@link DiskSpace}.
 * Thread-safe.
 */
public final class FileStorage implements Storage {
    static final String SPOOL_DIR = ".spool";
    static final String CLEAN_MARKER = ".clean-shutdown";
    /** Largest value {@link #putIfVersion} compares (records are tiny; bounded memory). */
    private static final int MAX_VERSIONED = 1 << 20;
    private static final Lock[] FILE_LOCKS = new Lock[256];

    static {
        for (int i = 0; i < FILE_LOCKS.length; i++) {
            FILE_LOCKS[i] = new ReentrantLock();
        }
    }

    private final Path root;
    private final Path spool;
    private final DiskSpace space;
    private final Durability durability;
    private final FileListing listing;
    private final Optional<Instant> uncleanShutdown;
    private volatile boolean recovered;

    /** Opens (creating if needed) a storage whose free-space checks use the system clock. */
    public FileStorage(Path root) throws IOException {
        this(root, Clock.systemUTC());
    }

    /** @param clock paces the free-space re-checks while the disk is full */
    public FileStorage(Path root, Clock clock) throws IOException {
        this(root, clock, Durability.FSYNC);
    }

    FileStorage(Path root, Clock clock, Durability durability) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.spool = this.root.resolve(SPOOL_DIR);
        this.durability = durability;
        boolean existed = hasEntries(this.root);
        Files.createDirectories(this.spool);
        Path marker = this.root.resolve(CLEAN_MARKER);
        boolean clean = Files.deleteIfExists(marker);
        if (clean) {
            durability.syncDirectory(this.root);
        }
        this.uncleanShutdown = existed && !clean ? Optional.of(fileSystemNow(spool)) : Optional.empty();
        this.space = new DiskSpace(this.root, clock);
        this.listing = new FileListing(this.root);
    }

    public Path root() {
        return root;
    }

    /** Maps a key to its file, refusing any key that is not a plain relative path inside the root. */
    Path path(String key) {
        Path p = root.resolve(StorageKeys.check(key)).normalize();
        // Belt and braces: the grammar already forbids escaping the root.
        if (!p.startsWith(root) || p.equals(root) || p.startsWith(spool)) {
            throw new IllegalArgumentException("storage key outside the cache root");
        }
        return p;
    }

    Durability durability() {
        return durability;
    }

    @Override
    public Optional<Entry> get(String key) throws IOException {
        Path p = path(key);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            if (!a.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new FileEntry(key, p, a.size(), a.lastModifiedTime().toInstant()));
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
     * <p>The spool file is created with the process umask's permissions (unlike
     * {@code Files.createTempFile}'s fixed 0600), so that a frontend sending cached files itself
     * ({@code binaryrepo.offload}) can read them when ops grant it access through the umask and group
     * (Debian's tomcat10 unit: {@code UMask=0027}, nginx's user in the tomcat group).
     */
    @Override
    public Writer writer(String key) throws IOException {
        return writer(key, true);
    }

    private SpoolWriter writer(String key, boolean reportFailures) throws IOException {
        Path target = path(key);
        try {
            return new SpoolWriter(this, key, target, spool.resolve("dl-" + UUID.randomUUID() + ".part"), reportFailures);
        } catch (IOException e) {
            if (reportFailures) {
                reportWriteFailure(e);
            }
            throw new CacheWriteException("cannot create a spool file: " + e.getMessage(), e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Failures of metadata writes are not reported to the free-space watch: only downloads decide
     * whether the cache counts as full (the behaviour since the disk-full handling was added).
     */
    @Override
    public void put(String key, byte[] value) throws IOException {
        Lock lock = lockOf(path(key));
        lock.lock();
        try {
            write(key, value);
        } finally {
            lock.unlock();
        }
    }

    private void write(String key, byte[] value) throws IOException {
        try (SpoolWriter w = writer(key, false)) {
            w.write(ByteBuffer.wrap(value));
            w.commit();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The version is the SHA-256 of the value (a rename gives no counter that survives restarts, and
     * modification times are as coarse as the kernel's clock tick).
     */
    @Override
    public Optional<Versioned> readVersioned(String key, int maxBytes) throws IOException {
        return read(key, maxBytes).map(v -> new Versioned(v, versionOf(v)));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The compare and the write happen under a lock per file shared by every FileStorage in this JVM
     * ({@link #put} and {@link #delete} take it too): one node owns a file system cache, so that lock is
     * all the atomicity needed. Several processes sharing one directory (NFS) are not supported. The value
     * replaced must be at most 1 MiB (else IOException).
     */
    @Override
    public boolean putIfVersion(String key, byte[] value, String expectedVersion) throws IOException {
        Lock lock = lockOf(path(key));
        lock.lock();
        try {
            Optional<byte[]> now = read(key, MAX_VERSIONED);
            boolean same = expectedVersion == null ? now.isEmpty()
                    : now.isPresent() && versionOf(now.get()).equals(expectedVersion);
            if (!same) {
                return false;
            }
            write(key, value);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private static String versionOf(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    /** Striped by absolute path, shared by all instances: two FileStorage views of one root agree. */
    private static Lock lockOf(Path file) {
        return FILE_LOCKS[Math.floorMod(file.hashCode() * 0x9E3779B9, FILE_LOCKS.length)];
    }

    @Override
    public Optional<byte[]> read(String key, int maxBytes) throws IOException {
        Path p = path(key);
        try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > maxBytes) {
                throw new IOException("cache entry " + key + " is larger than " + maxBytes + " bytes");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // fill
            }
            if (buf.hasRemaining()) {
                throw new IOException("cache entry " + key + " shrank while being read");
            }
            return Optional.of(buf.array());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean delete(String key) throws IOException {
        Path p = path(key);
        Lock lock = lockOf(p);
        lock.lock();
        try {
            return Files.deleteIfExists(p);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Page list(String prefix, String startAfter, int limit) throws IOException {
        return listing.list(prefix, startAfter, limit);
    }

    @Override
    public Usage usage() throws IOException {
        return listing.usage();
    }

    @Override
    public boolean hasRoomFor(long bytes) {
        return space.hasRoomFor(bytes);
    }

    /** Records a failed cache write: logged once, downloads pass through until space returns. */
    void reportWriteFailure(IOException e) {
        space.reportWriteFailure(e);
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
    public Optional<Instant> uncleanShutdown() {
        return uncleanShutdown;
    }

    @Override
    public void recovered() {
        recovered = true;
    }

    /**
     * Renames a forced spool file onto {@code target} and syncs the directories that changed: the
     * target's and those of any directory created for it.
     */
    void moveIntoPlace(Path spoolFile, Path target) throws IOException {
        List<Path> created = new ArrayList<>();
        for (Path d = target.getParent(); !Files.isDirectory(d); d = d.getParent()) {
            created.add(d);
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(spoolFile, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cache root does not support atomic rename: " + root, e);
        }
        durability.syncDirectory(target.getParent());
        for (Path d : created) {
            durability.syncDirectory(d.getParent());
        }
    }

    /**
     * Writes the clean-shutdown marker, unless an unclean shutdown's entries were not re-verified yet
     * (then the next start verifies them again). Open writers and readers stay usable.
     */
    @Override
    public void close() throws IOException {
        if (uncleanShutdown.isPresent() && !recovered) {
            return;
        }
        Path marker = root.resolve(CLEAN_MARKER);
        try (FileChannel ch = FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            durability.force(ch);
        }
        durability.syncDirectory(root);
    }

    /**
     * The file system's own idea of now (the modification time of a new file), so that it compares
     * exactly with entries' times: the kernel stamps files from a coarse clock that can lag
     * {@link Instant#now()} by a tick.
     */
    private static Instant fileSystemNow(Path dir) throws IOException {
        Path probe = dir.resolve("opened-" + UUID.randomUUID());
        Files.createFile(probe);
        try {
            return Files.getLastModifiedTime(probe).toInstant();
        } finally {
            Files.delete(probe);
        }
    }

    private static boolean hasEntries(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return false;
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.anyMatch(p -> StorageKeys.validSegment(p.getFileName().toString()));
        }
    }

    /** How data and directories are made durable; replaceable so tests can observe it (power loss cannot be simulated). */
    interface Durability {
        /** The real thing: fsync the file, fsync the directory. */
        Durability FSYNC = new Durability() {
            @Override
            public void force(FileChannel ch) throws IOException {
                ch.force(true);
            }

            @Override
            public void syncDirectory(Path dir) throws IOException {
                try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                    ch.force(true);
                }
            }
        };

        /** Forces a file's data (and size) to disk. */
        void force(FileChannel ch) throws IOException;

        /** Makes a directory's entries (renames, new files) durable. */
        void syncDirectory(Path dir) throws IOException;
    }

    private record FileEntry(String key, Path path, long size, Instant lastModified) implements Entry {
        @Override
        public SeekableByteChannel open() throws IOException {
            return Files.newByteChannel(path, StandardOpenOption.READ);
        }

        @Override
        public Optional<Path> file() {
            return Optional.of(path);
        }
    }
}
