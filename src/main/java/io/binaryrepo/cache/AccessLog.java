package io.binaryrepo.cache;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
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
 * listing returns for free) are in access order too. Several nodes share the records of one bucket: a
 * flush merges by maximum with compare-and-swap ({@link Storage#putIfVersion}), and eviction claims an
 * entry by swapping its record for a claim ({@link #claim}), so two nodes never evict one entry twice.
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
    /** A claim: "evicting <millis> <uuid>". */
    private static final int MAX_CLAIM = 128;
    private static final String CLAIM = "evicting ";
    private static final int SWAP_ATTEMPTS = 5;

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
        return raw.isEmpty() ? OptionalLong.empty() : parse(raw.get());
    }

    /** The access time a record holds; empty for a damaged record or an eviction's claim. */
    private static OptionalLong parse(byte[] record) {
        try {
            return OptionalLong.of(Long.parseLong(new String(record, StandardCharsets.US_ASCII).trim()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Stores {@code millis} in a record unless it already holds a later time: several nodes flush records of
     * the same keys, and one flushing an older read must not move another's newer one back (issue 16).
     * A compare-and-swap, re-read and retried while other writers get there first.
     *
     * @return whether a record was written (false: the stored time was already as late)
     */
    private boolean merge(String recordKey, long millis) throws IOException {
        for (int attempt = 0; attempt < SWAP_ATTEMPTS; attempt++) {
            Optional<Storage.Versioned> now = storage.readVersioned(recordKey, MAX_CLAIM);
            if (now.isPresent()) {
                OptionalLong stored = parse(now.get().value());
                if (stored.isPresent() && stored.getAsLong() >= millis) {
                    return false;
                }
            }
            byte[] value = Long.toString(millis).getBytes(StandardCharsets.US_ASCII);
            if (storage.putIfVersion(recordKey, value, now.map(Storage.Versioned::version).orElse(null))) {
                return true;
            }
        }
        throw new IOException("access record " + recordKey + " changed under each of " + SWAP_ATTEMPTS + " writes");
    }

    /**
     * Eviction's claim on {@code key} (issue 16: nodes evicting at once delete nothing twice, nothing another
     * node read): swaps the key's record for a claim, only if the record says the entry was not read after
     * {@code seenAt} nor since {@code graceStart} and holds no other node's claim younger than the grace
     * period (an older one was left by a node that stopped mid-eviction). Exactly one node's swap wins;
     * the others see the claim and keep their hands off. A key too long to have a record gets a claim
     * that guards nothing (the memory checks only).
     *
     * @return the claim to {@link #release} if the entry is kept after all, or null when not claimed
     */
    Claim claim(String key, long seenAt, long graceStart, long now) throws IOException {
        String rk = recordKey(key);
        if (rk == null) {
            return new Claim(null, null, null);
        }
        byte[] mine = (CLAIM + now + " " + UUID.randomUUID()).getBytes(StandardCharsets.US_ASCII);
        Optional<Storage.Versioned> cur = storage.readVersioned(rk, MAX_CLAIM);
        if (cur.isPresent()) {
            byte[] v = cur.get().value();
            OptionalLong read = parse(v);
            if (read.isPresent() && (read.getAsLong() > seenAt || read.getAsLong() >= graceStart)) {
                return null;
            }
            if (read.isEmpty() && claimedSince(v, graceStart)) {
                return null;
            }
        }
        String expected = cur.map(Storage.Versioned::version).orElse(null);
        if (!storage.putIfVersion(rk, mine, expected)) {
            return null;
        }
        return new Claim(rk, mine, cur.map(Storage.Versioned::value).orElse(null));
    }

    /** Puts back the record a claim replaced, unless it changed since (a node recorded a read meanwhile). */
    void release(Claim claim) throws IOException {
        if (claim.recordKey() == null) {
            return;
        }
        Optional<Storage.Versioned> cur = storage.readVersioned(claim.recordKey(), MAX_CLAIM);
        if (cur.isEmpty() || !Arrays.equals(cur.get().value(), claim.mine())) {
            return;
        }
        if (claim.previous() == null) {
            storage.delete(claim.recordKey());
        } else {
            storage.putIfVersion(claim.recordKey(), claim.previous(), cur.get().version());
        }
    }

    /** Whether a record is a claim made at or after {@code since}. */
    private static boolean claimedSince(byte[] record, long since) {
        String s = new String(record, StandardCharsets.US_ASCII);
        if (!s.startsWith(CLAIM)) {
            return false;
        }
        String[] parts = s.substring(CLAIM.length()).split(" ", 2);
        try {
            return Long.parseLong(parts[0]) >= since;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** An eviction's claim on an entry: its record key, the claim written, the record it replaced (or null). */
    record Claim(String recordKey, byte[] mine, byte[] previous) {
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
                    if (merge(rk, e.getValue())) {
                        written++;
                    }
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
