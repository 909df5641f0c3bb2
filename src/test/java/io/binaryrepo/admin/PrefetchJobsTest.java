package io.binaryrepo.admin;

import java.time.Duration;
import io.binaryrepo.e2e.Wait;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.repo.Inventory;
import io.binaryrepo.repo.ProxyError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bounds of the prefetch job table (issue 10): concurrent, queued and retained jobs; random ids. */
class PrefetchJobsTest {

    @Test
    void start_beyondRunningAndQueued_refusedWith503_thenAcceptedAgainOnceJobsEnd() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Inventory.Prefetch blocking = fetcher -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        try (PrefetchJobs jobs = new PrefetchJobs()) {
            List<PrefetchJob> started = new ArrayList<>();
            for (int i = 0; i < PrefetchJobs.THREADS + PrefetchJobs.QUEUED; i++) {
                started.add(jobs.start(null, List.of(blocking)));
            }
            ProxyError busy = assertThrows(ProxyError.class, () -> jobs.start(null, List.of(blocking)));
            assertEquals(503, busy.status());
            assertTrue(busy.headers().containsKey("Retry-After"));
            release.countDown();
            for (PrefetchJob j : started) {
                Wait.until(Duration.ofSeconds(30), "job " + j.id() + " finished", j::finished);
                assertEquals("done", j.json().path("state").asText());
            }
            assertEquals(32, jobs.start(null, List.of(blocking)).id().length(), "accepted again once the queue drained");
        }
    }

    @Test
    void finishedJobs_oldestForgottenBeyondRetained_idsAre128RandomBits() throws Exception {
        try (PrefetchJobs jobs = new PrefetchJobs()) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < PrefetchJobs.RETAINED + 10; i++) {
                PrefetchJob j = jobs.start(null, List.of(fetcher -> fetcher.error("boom")));
                Wait.until(Duration.ofSeconds(30), "job " + j.id() + " finished", j::finished);
                ids.add(j.id());
            }
            Set<String> unique = new HashSet<>(ids);
            assertEquals(ids.size(), unique.size());
            ids.forEach(id -> assertTrue(id.matches("[0-9a-f]{32}"), id));
            assertTrue(jobs.get(ids.get(0)).isEmpty(), "the oldest finished job is forgotten");
            assertEquals("failed", jobs.get(ids.get(ids.size() - 1)).orElseThrow().json().path("state").asText());
            assertEquals("boom", jobs.get(ids.get(ids.size() - 1)).orElseThrow().json().path("errors").path(0).asText());
        }
    }
}
