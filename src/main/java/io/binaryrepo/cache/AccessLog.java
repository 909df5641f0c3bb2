package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each cache entry was last read, recorded without a storage write per hit (issue 10): a hit only
 * updates a bounded in-memory map; {@link #flush()} (every few seconds and at shutdown) writes one small
 * record per key touched since the last flush, through the {@link Storage} API itself, under
 * {@code _access/<key>} (the epoch milliseconds in ASCII), so the log works unchanged on any backend and
 * survives a restart. Records are written oldest access first, so their modification times (which a
 * listing returns for free) are in access order too.
 *
 * <p>Bounds: at most {@link #MAX_PENDING} keys wait for a flush (further new keys are dropped until the
 * next flush and counted; their entries then fall back to their commit time) and at most
 * {@link #MAX_RECENT} flushed keys are remembered so that {@link #lastAccess} of hot keys needs no read.
 * Thread-safe: {@link #record} is lock-free; {@link #flush()} runs on one thread at a time.
 */
public final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);
    /** The reserved key prefix of access records; formats never use it, eviction never evicts it. */
    public static final String PREFIX = "_access/";
    static final int MAX_PENDING = 50_000;
    static final int MAX_RECENT = 100_000;
    private static final int MAX_RECORD = 32;

    private final Storage storage;
    private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();
    private final Map<String, Long> recent = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_RECENT;
        }
    };
    private final AtomicLong dropped = new AtomicLong();
    private final Object flushing = new Object();

    /** @param storage the undecorated storage the records are written to (closed by its owner) */
    AccessLog(Storage storage) {
        this.storage = storage;
    }

    /** The record key of {@code key}, or null when the key is too long to have one (then memory only). */
    static String recordKey(String key) {
        return key.length() + PREFIX.length() > StorageKeys.MAX_LENGTH ? null : PREFIX + key;
    }

    static boolean isRecord(String key) {
        return key.startsWith(PREFIX);
    }

    /** Notes that {@code key} was read at {@code millis}. Never blocks, never touches the storage. */
    void record(String key, long millis) {
        if (isRecord(key)) {
            return;
        }
        if (pending.size() >= MAX_PENDING && !pending.containsKey(key)) {
            dropped.incrementAndGet();
            return;
        }
        pending.merge(key, millis, Math::max);
    }

    /** Keys waiting for a flush (for the trigger of an early flush). */
    int pendingCount() {
        return pending.size();
    }

    /** The last recorded access to {@code key} from memory only (pending or recently flushed); no storage read. */
    OptionalLong remembered(String key) {
        Long p = pending.get(key);
        Long r;
        synchronized (recent) {
            r = recent.get(key);
        }
        if (p == null && r == null) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(p == null ? Long.MIN_VALUE : p, r == null ? Long.MIN_VALUE : r));
    }

    /** The last recorded access: from memory, else from its record (one small read); empty when none. */
    OptionalLong lastAccess(String key) throws IOException {
        OptionalLong m = remembered(key);
        if (m.isPresent()) {
            return m;
        }
        return stored(key);
    }

    /** The access time in the key's record, ignoring memory; empty when there is no (readable) record. */
    OptionalLong stored(String key) throws IOException {
        String rk = recordKey(key);
        if (rk == null) {
            return OptionalLong.empty();
        }
        Optional<byte[]> raw;
        try {
            raw = storage.read(rk, MAX_RECORD);
        } catch (IOException e) {
            return OptionalLong.empty(); // a damaged record: the entry's commit time counts instead
        }
        if (raw.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(new String(raw.get(), StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Forgets everything recorded about {@code key}: memory and its stored record. Called when the entry is
     * removed (eviction, purge) so records never outlive their entries.
     */
    public void forget(String key) throws IOException {
        pending.remove(key);
        synchronized (recent) {
            recent.remove(key);
        }
        String rk = recordKey(key);
        if (rk != null) {
            storage.delete(rk);
        }
    }

    /**
     * Writes a record for every key read since the last flush, oldest access first. A failed write is
     * logged once per flush and the rest continue; the accesses stay remembered in memory.
     *
     * @return how many records were written
     */
    int flush() {
        synchronized (flushing) {
            List<Map.Entry<String, Long>> batch = new ArrayList<>(pending.size());
            for (String key : pending.keySet()) {
                Long t = pending.remove(key);
                if (t != null) {
                    batch.add(Map.entry(key, t));
                }
            }
            batch.sort(Map.Entry.comparingByValue());
            int written = 0;
            IOException failure = null;
            for (Map.Entry<String, Long> e : batch) {
                synchronized (recent) {
                    recent.merge(e.getKey(), e.getValue(), Math::max);
                }
                String rk = recordKey(e.getKey());
                if (rk == null) {
                    continue;
                }
                try {
                    storage.put(rk, Long.toString(e.getValue()).getBytes(StandardCharsets.US_ASCII));
                    written++;
                } catch (IOException | RuntimeException x) {
                    if (failure == null) {
                        failure = x instanceof IOException io ? io : new IOException(x);
                    }
                }
            }
            long lost = dropped.getAndSet(0);
            if (failure != null || lost > 0) {
                LOG.warn("access log: {} of {} access records written{}{}", written, batch.size(),
                        failure == null ? "" : "; first failure: " + failure,
                        lost == 0 ? "" : "; " + lost + " accesses not recorded (more than " + MAX_PENDING
                                + " keys read between flushes)");
            }
            return written;
        }
    }
}
