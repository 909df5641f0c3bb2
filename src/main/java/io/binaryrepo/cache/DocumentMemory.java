package io.binaryrepo.cache;

import java.lang.ref.SoftReference;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The documents kept in memory besides the disk. Bounded twice: by bytes (each entry counts its body plus
 * {@link #OVERHEAD} plus its key, so empty "not found" entries are counted too) and by entry count
 * ({@link #MAX_ENTRIES}). Reads take no lock (every manifest request reads it: the hot path of a pull);
 * when over a bound, entries are removed oldest-inserted first until under it, so a flood of new keys
 * evicts itself first and never grows the heap.
 *
 * <p>A document too large for the budget (over a quarter of it: a 40 MB npm packument) is not counted but
 * kept through a {@link SoftReference} in a side table of at most {@link #MAX_LARGE} entries: while the
 * garbage collector lets it live, every request for it shares one copy instead of reading its own from disk
 * (sixteen clients of one 40 MB document would otherwise hold sixteen copies); under memory pressure it is
 * dropped and read again when asked for. Thread-safe.
 */
final class DocumentMemory {
    /** What one entry costs besides its body and key: map node, record, arrays, strings (measured ~200 B). */
    static final int OVERHEAD = 256;
    static final int MAX_ENTRIES = 100_000;
    /** Bound of the side table of large documents (each softly referenced). */
    static final int MAX_LARGE = 64;

    private record Slot(MutableDocuments.Document document, long cost, long serial) {
    }

    private final long maxBytes;
    private final ConcurrentHashMap<String, Slot> map = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong serial = new AtomicLong();
    private final ConcurrentHashMap<String, SoftReference<MutableDocuments.Document>> large = new ConcurrentHashMap<>();

    DocumentMemory(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    MutableDocuments.Document get(String key) {
        Slot s = map.get(key);
        if (s != null) {
            return s.document();
        }
        SoftReference<MutableDocuments.Document> r = large.get(key);
        return r == null ? null : r.get();
    }

    void put(String key, MutableDocuments.Document d) {
        long cost = OVERHEAD + 2L * key.length() + d.memoryBytes()
                + (d.etag() == null ? 0 : d.etag().length()) + (d.contentType() == null ? 0 : d.contentType().length());
        if (cost > maxBytes / 4) {
            remove(key); // not counted against the budget: kept only while the GC lets it live
            if (large.size() >= MAX_LARGE) {
                large.clear(); // rare (64 huge documents in use); they are read from disk again when asked for
            }
            large.put(key, new SoftReference<>(d));
            return;
        }
        large.remove(key);
        Slot old = map.put(key, new Slot(d, cost, serial.incrementAndGet()));
        bytes.addAndGet(cost - (old == null ? 0 : old.cost()));
        if (bytes.get() > maxBytes || map.size() > MAX_ENTRIES) {
            shrink();
        }
    }

    void remove(String key) {
        large.remove(key);
        Slot old = map.remove(key);
        if (old != null) {
            bytes.addAndGet(-old.cost());
        }
    }

    long bytes() {
        return bytes.get();
    }

    int size() {
        return map.size();
    }

    /** Removes the oldest-inserted entries until both bounds hold with a tenth to spare. */
    private synchronized void shrink() {
        long targetBytes = maxBytes - maxBytes / 10;
        int targetEntries = MAX_ENTRIES - MAX_ENTRIES / 10;
        while (!map.isEmpty() && (bytes.get() > targetBytes || map.size() > targetEntries)) {
            long oldest = Long.MAX_VALUE;
            for (Slot s : map.values()) {
                oldest = Math.min(oldest, s.serial());
            }
            // The oldest tenth of the serial range (at least one entry) goes in one pass.
            long cut = oldest + Math.max(1, (serial.get() - oldest) / 10);
            for (Iterator<Map.Entry<String, Slot>> it = map.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Slot> e = it.next();
                if (e.getValue().serial() <= cut && map.remove(e.getKey(), e.getValue())) {
                    bytes.addAndGet(-e.getValue().cost());
                }
            }
        }
    }
}
