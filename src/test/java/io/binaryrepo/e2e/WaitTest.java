package io.binaryrepo.e2e;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WaitTest {

    @Test
    void returnsAsSoonAsTheConditionHolds() {
        AtomicInteger calls = new AtomicInteger();
        Wait.until(Duration.ofSeconds(5), () -> calls.incrementAndGet() >= 3);
        assertEquals(3, calls.get());
    }

    @Test
    void timesOutWithTheDescriptionAndLastException() {
        long start = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class, () -> Wait.until(Duration.ofMillis(150),
                "the moon to turn blue", () -> {
                    throw new IllegalStateException("still white");
                }));
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains("the moon to turn blue"), e.getMessage());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(elapsedMs >= 150 && elapsedMs < 2000, "elapsed " + elapsedMs);
    }

    @Test
    void assertionErrorsFromTheConditionPropagateAtOnce() {
        AssertionError e = assertThrows(AssertionError.class, () -> Wait.until(Duration.ofSeconds(30), () -> {
            throw new AssertionError("process died");
        }));
        assertEquals("process died", e.getMessage());
    }
}
