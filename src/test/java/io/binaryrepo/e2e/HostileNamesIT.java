package io.binaryrepo.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.FakeUpstream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Bounded memory under hostile names (issues 9 and 17): a client that asks for a million distinct image
 * names and tags (every tenth name with a token scope of its own at a token-authenticating upstream) must
 * leave a {@code -Xmx256m} binaryrepo serving, its heap after a full GC well under the cap.
 * {@code -XX:+ExitOnOutOfMemoryError} turns any unbounded map into a dead server and a failed test.
 */
class HostileNamesIT {
    private static final int REQUESTS = Integer.getInteger("hostileNames.requests", 1_000_000);
    private static final int IN_FLIGHT = 64;
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    @Test
    void millionDistinctNamesAndTags_heapCappedAt256m_serverServesAndHeapStaysBounded() throws Exception {
        Path work = TempDirs.create("e2e-hostile-names-");
        try (FakeUpstream up = tokenUpstream()) {
            Path config = work.resolve("repositories.yaml");
            Files.writeString(config, "repositories:\n  - name: hub\n    type: docker\n    url: " + up.url() + "\n");
            try (ProxyProcess proxy = ProxyProcess.start(work.resolve("cache"), config, Ports.free(), "256m")) {
                Map<Integer, Integer> statuses = flood(proxy.url());
                assertTrue(proxy.isAlive(), "binaryrepo died:\n" + PullScenarios.tail(proxy.logText()));
                assertEquals(Map.of(404, REQUESTS), statuses, "every unknown manifest answered 404");
                long usedKiB = heapUsedAfterGc(proxy.pid());
                assertTrue(usedKiB < 128 * 1024, "heap after " + REQUESTS + " distinct names: " + usedKiB + " KiB");
                HttpResponse<String> ping = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(proxy.url() + "/v2/")).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, ping.statusCode(), "still serving");
            }
        } finally {
            TempDirs.deleteRecursively(work);
        }
    }

    /** Every name needs a token of its own scope; with one, every manifest is unknown. */
    private static FakeUpstream tokenUpstream() throws Exception {
        FakeUpstream up = FakeUpstream.start();
        up.record(false);
        String realm = up.url() + "/token";
        up.dynamic(s -> {
            if (s.path().startsWith("/token")) {
                return FakeUpstream.Route.ok("{\"token\":\"t" + s.path().hashCode() + "\",\"expires_in\":3600}",
                        "application/json");
            }
            String name = s.path().replaceFirst("^/v2/(.*)/manifests/.*$", "$1");
            if (s.header("Authorization") == null && name.endsWith("0/app")) {
                return FakeUpstream.Route.status(401).withHeader("WWW-Authenticate", "Bearer realm=\"" + realm
                        + "\",service=\"fake\",scope=\"repository:" + name + ":pull\"");
            }
            return FakeUpstream.Route.status(404);
        });
        return up;
    }

    private static Map<Integer, Integer> flood(String base) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Semaphore slots = new Semaphore(IN_FLIGHT);
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        AtomicInteger failures = new AtomicInteger();
        for (int i = 0; i < REQUESTS; i++) {
            slots.acquire();
            HttpRequest r = HttpRequest.newBuilder(URI.create(base + "/v2/hub/n" + i + "/app/manifests/t" + i))
                    .timeout(Duration.ofSeconds(60)).build();
            http.sendAsync(r, HttpResponse.BodyHandlers.discarding()).whenComplete((resp, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                } else {
                    statuses.merge(resp.statusCode(), 1, Integer::sum);
                }
                slots.release();
            });
        }
        assertTrue(slots.tryAcquire(IN_FLIGHT, 2, TimeUnit.MINUTES), "requests still in flight");
        assertEquals(0, failures.get(), "requests that failed without an answer");
        return statuses;
    }

    /** Heap in use after a full GC, from {@code jcmd}. */
    private static long heapUsedAfterGc(long pid) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try (ExternalProcess gc = ExternalProcess.start("jcmd", Map.of(), jcmd, Long.toString(pid), "GC.run")) {
            Wait.until(Duration.ofSeconds(60), "jcmd GC.run", () -> !gc.isAlive());
        }
        try (ExternalProcess info = ExternalProcess.start("jcmd", Map.of(), jcmd, Long.toString(pid), "GC.heap_info")) {
            Wait.until(Duration.ofSeconds(60), "jcmd GC.heap_info", () -> !info.isAlive());
            Matcher m = USED.matcher(info.logText());
            assertTrue(m.find(), info.logText());
            return Long.parseLong(m.group(1));
        }
    }
}
