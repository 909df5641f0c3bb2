package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.binaryrepo.e2e.Ports;
import io.binaryrepo.e2e.ProxyProcess;
import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeUpstream;
import io.binaryrepo.testing.FakeUpstream.Route;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * binaryrepo in its own JVM with a heap of {@value #HEAP} serves a 40 MiB packument, full and abbreviated,
 * to {@value #CLIENTS} clients at once, twice: it survives only if answers are written as they are
 * rendered (a tree of the document alone would need several times the heap). The stored document itself
 * is held by the shared document cache (64 MiB budget), and fetching it reads it whole within its cap.
 */
class PackumentServingMemoryTest extends ComponentTest {
    static final String HEAP = "160m";
    static final int CLIENTS = 16;

    @Test
    void fortyMegabytePackument_servedToSixteenClientsInBothVariants_inA160MegabyteHeap() throws Exception {
        FakeUpstream upstream = closeAfter(FakeUpstream.start());
        byte[] doc;
        try (InputStream in = new LargePackument(40L * 1024 * 1024, upstream.url())) {
            doc = in.readAllBytes();
        }
        int versions = count(new java.io.ByteArrayInputStream(doc));
        upstream.put("/big", Route.ok(doc, "application/json").withEtag("\"big-1\""));
        Path config = tmp.resolve("repositories.yaml");
        Files.writeString(config, "repositories:\n  - name: npm\n    type: npm\n    url: " + upstream.url() + "\n");
        ProxyProcess proxy = closeAfter(ProxyProcess.start(tmp.resolve("cache"), config, Ports.free(), HEAP));
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            for (int round = 0; round < 2; round++) {
                List<Future<Integer>> all = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    String accept = i % 2 == 0 ? "application/json" : "application/vnd.npm.install-v1+json";
                    all.add(pool.submit(() -> fetch(proxy.url() + "/repo/npm/big", accept)));
                }
                for (Future<Integer> f : all) {
                    assertEquals(versions, f.get(), "every answer complete, every version there");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(proxy.isAlive(), proxy.logText());
        assertEquals(1, upstream.count("GET", "/big"), "one upstream fetch");
    }

    private Integer fetch(String url, String accept) throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", accept)
                .timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (InputStream in = r.body()) {
            return count(in);
        }
    }

    /** The number of versions, counted while streaming (the test JVM holds no answer either). */
    private static int count(InputStream in) throws Exception {
        try (JsonParser p = new JsonFactory().createParser(in)) {
            int n = 0;
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                p.nextToken();
                if (f.equals("versions")) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        p.nextToken();
                        p.skipChildren();
                        n++;
                    }
                } else {
                    p.skipChildren();
                }
            }
            return n;
        }
    }
}
