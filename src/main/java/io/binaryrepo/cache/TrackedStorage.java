package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.Lock;

/**
 * The storage the repositories use (issue 10): forwards everything to the backend it decorates and in
 * addition records reads in an {@link AccessLog} (answering {@link #lastAccess}), keeps the
 * {@link UsageCount} up to date on every commit and delete, and after each commit starts the
 * {@link Evictor} when usage passes the cap (a comparison: no request waits for eviction). Backend-neutral:
 * the access records are written through the backend's own {@code put}, so the file system and an object
 * store get the same behaviour. Start-up work (the usage listing) runs in the background after
 * {@link #start()}. Thread-safe.
 *
 * <p>What counts as a read: {@link #get} and {@link #read} that find an entry (every hit, whatever serves
 * the bytes afterwards: the copy loop, memory-mapped writes, Tomcat's sendfile, a frontend offload or a
 * redirect all start from {@code get}). {@link #exists} does not count. A commit counts as a read.
 * {@link #delete} also forgets the key's access record, so a purge through this storage leaves none behind.
 * Listings hide the access records.
 */
public final class TrackedStorage implements Storage {
    private final Storage backend;
    private final Clock clock;
    private final AccessLog access;
    private final UsageCount usage = new UsageCount();
    private final KeyLocks locks = new KeyLocks();
    private final Evictor evictor;

    /**
     * @param backend the storage to decorate; closed by {@link #close()}
     * @param policy the cap, age limit and grace period
     * @param listener told what each eviction run removed (metrics)
     */
    public TrackedStorage(Storage backend, EvictionPolicy policy, Clock clock, Evictor.Listener listener) {
        this.backend = backend;
        this.clock = clock;
        this.access = new AccessLog(backend);
        this.evictor = new Evictor(this, policy, clock, listener);
    }

    /** Starts the background work: the usage listing, the access flushes and the periodic checks. */
    public void start() {
        evictor.start();
    }

    /** The access log, for a purge that removes entries through the backend directly. */
    public AccessLog accessLog() {
        return access;
    }

    /** The running usage total (bytes, entries) eviction works with; empty until the start-up listing ended. */
    public Optional<Usage> countedUsage() {
        return usage.known() ? Optional.of(new Usage(usage.entries(), usage.bytes())) : Optional.empty();
    }

    Storage backend() {
        return backend;
    }

    AccessLog access() {
        return access;
    }

    UsageCount usageCount() {
        return usage;
    }

    Evictor evictor() {
        return evictor;
    }

    @Override
    public Optional<Entry> get(String key) throws IOException {
        Lock lock = locks.of(key).readLock();
        lock.lock();
        try {
            Optional<Entry> e = backend.get(key);
            if (e.isPresent()) {
                access.record(key, clock.millis());
            }
            return e;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<byte[]> read(String key, int maxBytes) throws IOException {
        Lock lock = locks.of(key).readLock();
        lock.lock();
        try {
            Optional<byte[]> v = backend.read(key, maxBytes);
            if (v.isPresent()) {
                access.record(key, clock.millis());
            }
            return v;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean exists(String key) throws IOException {
        return backend.exists(key);
    }

    @Override
    public Writer writer(String key) throws IOException {
        return new TrackedWriter(backend.writer(key));
    }

    @Override
    public void put(String key, byte[] value) throws IOException {
        long[] before = sizeOf(key);
        backend.put(key, value);
        committed(key, before, value.length);
    }

    /** Forwards; not counted as a read (the records compared and swapped are bookkeeping, not content). */
    @Override
    public Optional<Versioned> readVersioned(String key, int maxBytes) throws IOException {
        return backend.readVersioned(key, maxBytes);
    }

    /** Forwards; a successful swap counts like a {@link #put}. */
    @Override
    public boolean putIfVersion(String key, byte[] value, String expectedVersion) throws IOException {
        long[] before = sizeOf(key);
        if (!backend.putIfVersion(key, value, expectedVersion)) {
            return false;
        }
        committed(key, before, value.length);
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>From memory for keys read since start-up (pending or among the last 100,000 flushed), else from
     * the key's record under {@code _access/} (one small read); empty for a key never read since its record
     * was lost or never written (callers then use the commit time).
     */
    @Override
    public Optional<Instant> lastAccess(String key) throws IOException {
        OptionalLong t = access.lastAccess(key);
        return t.isPresent() ? Optional.of(Instant.ofEpochMilli(t.getAsLong())) : Optional.empty();
    }

    /** Removes the entry and forgets its access record. */
    @Override
    public boolean delete(String key) throws IOException {
        Lock lock = locks.of(key).writeLock();
        lock.lock();
        try {
            Optional<Entry> e = backend.get(key);
            boolean deleted = backend.delete(key);
            if (deleted && !AccessLog.isRecord(key)) {
                usage.add(-e.map(Entry::size).orElse(0L), -1);
            }
            access.forget(key);
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Eviction's delete: under the key's write lock, removes the entry only if it was not read since
     * {@code seenAt} (the access time the candidate was chosen with) nor within the grace period before
     * {@code graceStart}, as far as this node remembers and as the key's stored record says (another
     * node's flushed reads), and was not rewritten since then. The record is first swapped for this node's
     * claim ({@link AccessLog#claim}): of several nodes evicting at once exactly one deletes and counts the
     * entry. A read on another node not flushed yet (at most the flush interval old) is not seen; its
     * reader, already streaming, may finish (S3 completes a GET in flight), a later range read fails.
     *
     * @return the bytes freed, or -1 when the entry was kept (or already gone)
     */
    long evict(String key, long seenAt, long graceStart) throws IOException {
        Lock lock = locks.of(key).writeLock();
        lock.lock();
        try {
            OptionalLong read = access.remembered(key);
            if (read.isPresent() && (read.getAsLong() > seenAt || read.getAsLong() >= graceStart)) {
                return -1;
            }
            AccessLog.Claim claim = access.claim(key, seenAt, graceStart, clock.millis());
            if (claim == null) {
                return -1; // read meanwhile on another node (its flushed record says so), or being evicted there
            }
            Optional<Entry> e = backend.get(key);
            if (e.isEmpty()) {
                access.forget(key);
                return -1;
            }
            long modified = e.get().lastModified().toEpochMilli();
            if (modified > seenAt || modified >= graceStart) {
                access.release(claim);
                return -1;
            }
            if (!backend.delete(key)) {
                access.forget(key);
                return -1;
            }
            usage.add(-e.get().size(), -1);
            access.forget(key);
            return e.get().size();
        } finally {
            lock.unlock();
        }
    }

    /** Lists committed entries; access records are left out (a page may then hold fewer than {@code limit}). */
    @Override
    public Page list(String prefix, String startAfter, int limit) throws IOException {
        Page p = backend.list(prefix, startAfter, limit);
        if (p.items().stream().noneMatch(i -> AccessLog.isRecord(i.key()))) {
            return p;
        }
        List<Item> kept = new ArrayList<>(p.items().size());
        for (Item i : p.items()) {
            if (!AccessLog.isRecord(i.key())) {
                kept.add(i);
            }
        }
        return new Page(kept, p.next());
    }

    @Override
    public Usage usage() throws IOException {
        return backend.usage();
    }

    @Override
    public boolean hasRoomFor(long bytes) {
        return backend.hasRoomFor(bytes);
    }

    @Override
    public int removeSpoolLeftovers() throws IOException {
        return backend.removeSpoolLeftovers();
    }

    @Override
    public Optional<Instant> uncleanShutdown() {
        return backend.uncleanShutdown();
    }

    @Override
    public void recovered() {
        backend.recovered();
    }

    /** Stops the background work, writes out the recorded reads, then closes the backend. */
    @Override
    public void close() throws IOException {
        evictor.close();
        access.flush();
        backend.close();
    }

    /** {size, 1} of the entry now under {@code key}, or {0, 0}. */
    private long[] sizeOf(String key) throws IOException {
        Optional<Entry> e = backend.get(key);
        return e.isPresent() ? new long[] {e.get().size(), 1} : new long[] {0, 0};
    }

    private void committed(String key, long[] before, long size) {
        if (AccessLog.isRecord(key)) {
            return;
        }
        usage.add(size - before[0], 1 - before[1]);
        access.record(key, clock.millis());
        evictor.committed();
    }

    /** Forwards to the backend's writer; its commit updates the usage and may start eviction. */
    private final class TrackedWriter implements Writer {
        private final Writer w;

        TrackedWriter(Writer w) {
            this.w = w;
        }

        @Override
        public String key() {
            return w.key();
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
            w.write(src);
        }

        @Override
        public long written() {
            return w.written();
        }

        @Override
        public SeekableByteChannel openReader() throws IOException {
            return w.openReader();
        }

        @Override
        public void commit() throws IOException {
            long[] before = sizeOf(w.key());
            w.commit();
            committed(w.key(), before, w.written());
        }

        @Override
        public void abort() {
            w.abort();
        }

        @Override
        public void close() {
            w.close();
        }
    }
}
