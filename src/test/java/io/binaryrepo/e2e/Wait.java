package io.binaryrepo.e2e;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes. This is the only place in the e2e
 * harness that pauses a thread: between polls it parks for a short, growing interval
 * (10 ms up to 200 ms), so callers never sleep for a fixed time.
 */
public final class Wait {

    private Wait() {
    }

    /**
     * Polls {@code condition} until it returns {@code true}.
     *
     * @throws AssertionError when {@code timeout} passes first; a condition that throws counts
     *     as "not yet" and its last exception is attached as the cause
     */
    public static void until(Duration timeout, BooleanSupplier condition) {
        until(timeout, () -> "condition", condition);
    }

    /** Same as {@link #until(Duration, BooleanSupplier)}, naming the condition in the error. */
    public static void until(Duration timeout, String description, BooleanSupplier condition) {
        until(timeout, () -> description, condition);
    }

    /**
     * Same as {@link #until(Duration, BooleanSupplier)}; {@code description} is evaluated only
     * on timeout, so it can include state gathered then (e.g. a process log).
     */
    public static void until(Duration timeout, Supplier<String> description, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 10;
        RuntimeException last = null;
        while (true) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
                last = null;
            } catch (RuntimeException e) {
                last = e;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                AssertionError error = new AssertionError(
                        "Timed out after " + timeout.toMillis() + " ms waiting for: " + description.get());
                if (last != null) {
                    error.initCause(last);
                }
                throw error;
            }
            pause(Math.min(pauseMillis, Math.max(1, remaining / 1_000_000)));
            pauseMillis = Math.min(200, pauseMillis * 2);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
