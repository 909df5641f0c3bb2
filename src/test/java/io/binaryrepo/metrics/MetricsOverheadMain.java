package io.binaryrepo.metrics;

import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.RequestLoop;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What counting costs, by hand (not a test: timings here are noise on a shared machine): two binaryrepo
 * servers in one JVM in front of one fake registry, one with {@code binaryrepo.metrics=off}, answering
 * manifest-by-tag requests from the cache, measured in alternating rounds. Prints requests per second.
 * Run: {@code mvn -q -o test-compile exec:java} is not set up; use the test class path with {@code java}.
 */
public final class MetricsOverheadMain {
    private MetricsOverheadMain() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        Path dir = Files.createTempDirectory("metrics-overhead");
        try (FakeRegistry up = FakeRegistry.start(false)) {
            up.putImage("library/small", "1", new byte[16 * 1024]);
            String yaml = "repositories:\n  - name: hub\n    type: docker\n    url: " + up.url() + "\n    metadataTtl: 1h\n";
            try (ProxyServer on = ProxyServer.start(dir.resolve("on"), yaml, null);
                    ProxyServer off = ProxyServer.start(dir.resolve("off"), yaml, null, Map.of(Metrics.SETTING, "off"))) {
                HttpClient client = HttpClient.newHttpClient();
                ExecutorService pool = Executors.newFixedThreadPool(4);
                RequestLoop.run(client, pool, request(on), 2000);
                RequestLoop.run(client, pool, request(off), 2000);
                double sumOn = 0;
                double sumOff = 0;
                for (int r = 0; r < rounds; r++) {
                    double a = RequestLoop.run(client, pool, request(r % 2 == 0 ? on : off), perRound);
                    double b = RequestLoop.run(client, pool, request(r % 2 == 0 ? off : on), perRound);
                    sumOn += r % 2 == 0 ? a : b;
                    sumOff += r % 2 == 0 ? b : a;
                    System.out.printf("round %d: on %.0f req/s, off %.0f req/s%n", r, r % 2 == 0 ? a : b, r % 2 == 0 ? b : a);
                }
                System.out.printf("mean: metrics on %.0f req/s, off %.0f req/s, on/off = %.3f%n", sumOn / rounds,
                        sumOff / rounds, sumOn / sumOff);
                pool.shutdownNow();
            }
        }
    }

    private static HttpRequest request(ProxyServer p) {
        return HttpRequest.newBuilder(URI.create(p.url() + "/v2/hub/library/small/manifests/1")).build();
    }
}
