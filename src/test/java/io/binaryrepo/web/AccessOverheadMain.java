package io.binaryrepo.web;

import io.binaryrepo.config.Access;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.RequestLoop;
import io.binaryrepo.testing.TestUsers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What access control costs, by hand (not a test: timings here are noise on a shared machine; issue 12 asks
 * for at least 80 % of the anonymous rate): one binaryrepo with a login service, an anonymous and a protected
 * repository on the same fake registry, manifest-by-tag requests from the cache, measured in alternating
 * rounds (the protected ones with a valid Basic login, answered from the login cache after the first).
 * Prints requests per second. Run with the test class path: {@code java -cp ... io.binaryrepo.web.AccessOverheadMain}.
 */
public final class AccessOverheadMain {
    private AccessOverheadMain() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 4000;
        Path dir = Files.createTempDirectory("access-overhead");
        TestUsers users = new TestUsers();
        TestUsers.User reader = users.add("reader", Access.READ_ROLE);
        try (FakeRegistry up = FakeRegistry.start(false)) {
            up.putImage("library/small", "1", new byte[16 * 1024]);
            String yaml = "repositories:\n"
                    + "  - name: anon\n    type: docker\n    url: " + up.url() + "\n    metadataTtl: 1h\n"
                    + "  - name: prot\n    type: docker\n    url: " + up.url() + "\n    metadataTtl: 1h\n    access: authenticated\n";
            try (ProxyServer p = ProxyServer.start(dir.resolve("cache"), yaml, null, Map.of(), users)) {
                HttpClient client = HttpClient.newHttpClient();
                ExecutorService pool = Executors.newFixedThreadPool(4);
                HttpRequest anon = HttpRequest.newBuilder(URI.create(p.url() + "/v2/anon/library/small/manifests/1")).build();
                HttpRequest prot = HttpRequest.newBuilder(URI.create(p.url() + "/v2/prot/library/small/manifests/1"))
                        .header("Authorization", reader.basic()).build();
                RequestLoop.run(client, pool, anon, 2000);
                RequestLoop.run(client, pool, prot, 2000);
                double sumAnon = 0;
                double sumProt = 0;
                for (int r = 0; r < rounds; r++) {
                    double a = RequestLoop.run(client, pool, r % 2 == 0 ? anon : prot, perRound);
                    double b = RequestLoop.run(client, pool, r % 2 == 0 ? prot : anon, perRound);
                    double ra = r % 2 == 0 ? a : b;
                    double rp = r % 2 == 0 ? b : a;
                    sumAnon += ra;
                    sumProt += rp;
                    System.out.printf("round %d: anonymous %.0f req/s, protected %.0f req/s%n", r, ra, rp);
                }
                System.out.printf("mean: anonymous %.0f req/s, protected %.0f req/s, protected/anonymous = %.3f;"
                        + " realm logins %d%n", sumAnon / rounds, sumProt / rounds, sumProt / sumAnon, p.realmLogins());
                pool.shutdownNow();
            }
        }
    }
}
