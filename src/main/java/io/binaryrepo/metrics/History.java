package io.binaryrepo.metrics;

import java.util.Arrays;

/**
 * Per-minute increments of a fixed set of cumulative counters over the last {@link #MINUTES} minutes, for
 * the dashboard's charts. Fed by {@link #record} with the counters' current totals (the increment since
 * the previous call is added to the current minute); bounded: {@code MINUTES} slots of {@code width}
 * longs. Thread-safe.
 */
final class History {
    static final int MINUTES = 60;

    private final int width;
    private final long[][] slots;
    private final long[] slotMinute = new long[MINUTES];
    private long[] last; // the totals at the previous call; the counters start at 0 with this history

    /** @param width how many counters are followed */
    History(int width) {
        this.width = width;
        this.slots = new long[MINUTES][width];
        this.last = new long[width];
        Arrays.fill(slotMinute, Long.MIN_VALUE);
    }

    /** Adds what the counters grew since the previous call to the minute of {@code nowMillis}. */
    synchronized void record(long nowMillis, long[] totals) {
        long minute = Math.floorDiv(nowMillis, 60_000L);
        long[] slot = slot(minute);
        for (int i = 0; i < width; i++) {
            slot[i] += Math.max(0, totals[i] - last[i]);
        }
        last = totals.clone();
    }

    /**
     * The increments per minute, oldest first: {@code [counter][minute]}, the last column is the minute of
     * {@code nowMillis}; minutes without data are 0.
     */
    synchronized long[][] series(long nowMillis) {
        long current = Math.floorDiv(nowMillis, 60_000L);
        long[][] out = new long[width][MINUTES];
        for (int m = 0; m < MINUTES; m++) {
            long minute = current - (MINUTES - 1) + m;
            int i = (int) Math.floorMod(minute, (long) MINUTES);
            if (slotMinute[i] == minute) {
                for (int c = 0; c < width; c++) {
                    out[c][m] = slots[i][c];
                }
            }
        }
        return out;
    }

    private long[] slot(long minute) {
        int i = (int) Math.floorMod(minute, (long) MINUTES);
        if (slotMinute[i] != minute) {
            slotMinute[i] = minute;
            Arrays.fill(slots[i], 0);
        }
        return slots[i];
    }
}
