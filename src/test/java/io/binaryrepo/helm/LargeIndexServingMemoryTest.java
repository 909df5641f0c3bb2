package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.e2e.Ports;
import io.binaryrepo.e2e.ProxyProcess;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: a Helm index larger than binaryrepo's whole heap. binaryrepo runs in its own JVM with
 * {@code -Xmx96m -XX:+ExitOnOutOfMemoryError}; the upstream streams a generated 100 MiB {@code index.yaml}
 * (never held by the test either). Four {@code helm repo update}-style GETs at once, then two more from the
 * cache, must each get the whole index, identical, with every chart URL rewritten; a chart listed in it is
 * then found in the stored index and downloaded. Holding the index (or a copy per request) in memory would
 * kill the server.
 */
class LargeIndexServingMemoryTest {
    private static final long SIZE = 100L * 1024 * 1024;
    private static final byte[] MARK = "/repo/helm/_charts/".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path tmp;

    /** What one client read: digest, length, rewritten URLs, the first rewritten URL. */
    private record Read(int status, long declaredLength, long length, String sha256, int rewritten, String firstUrl) {
    }

    @Test
    void hundredMegabyteIndex_concurrentGetsInA96MegabyteHeap_allGetTheWholeIndex() throws Exception {
        byte[] tgz = TestCharts.chart("first", "1.0.0");
        AtomicInteger indexRequests = new AtomicInteger();
        Server upstream = upstream(tgz, indexRequests);
        try {
            int upPort = ((ServerConnector) upstream.getConnectors()[0]).getLocalPort();
            Path config = tmp.resolve("repositories.yaml");
            Files.writeString(config, "repositories:\n  - name: helm\n    type: helm\n    url: http://127.0.0.1:" + upPort
                    + "/charts\n    metadataTtl: 1h\n    allowedHosts: [\"127.0.0.1:" + upPort + "\"]\n");
            try (ProxyProcess proxy = ProxyProcess.start(tmp.resolve("cache"), config, Ports.free(), "96m")) {
                String url = proxy.url() + "/repo/helm/index.yaml";
                List<Read> reads = new ArrayList<>(concurrently(url, 4));
                reads.addAll(concurrently(url, 2)); // from the cache
                assertTrue(proxy.isAlive(), "binaryrepo died:\n" + proxy.logText());
                Read first = reads.get(0);
                for (Read r : reads) {
                    assertEquals(200, r.status());
                    assertEquals(r.declaredLength(), r.length(), "the whole index");
                    assertEquals(first.sha256(), r.sha256(), "every client got the same index");
                    assertEquals(first.rewritten(), r.rewritten());
                }
                assertTrue(first.length() > SIZE, "length " + first.length());
                // LargeIndex: ten versions per chart, one URL each, about 1.4 kB per version; plus our chart.
                assertTrue(first.rewritten() > 50_000, "rewritten URLs: " + first.rewritten());
                assertEquals(1, indexRequests.get(), "one upstream fetch for all six clients");

                assertNotNull(first.firstUrl());
                assertTrue(first.firstUrl().startsWith(proxy.url() + "/repo/helm/_charts/"), first.firstUrl());
                HttpResponse<byte[]> chart = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(first.firstUrl())).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, chart.statusCode(), new String(chart.body(), StandardCharsets.UTF_8));
                assertArrayEquals(tgz, chart.body());
                assertTrue(proxy.isAlive(), "binaryrepo died:\n" + proxy.logText());
            }
        } finally {
            upstream.stop();
        }
    }

    private static List<Read> concurrently(String url, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Read>> futures = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                futures.add(pool.submit(() -> read(url)));
            }
            List<Read> reads = new ArrayList<>();
            for (Future<Read> f : futures) {
                reads.add(f.get(5, TimeUnit.MINUTES));
            }
            return reads;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Streams the index, digesting and counting it (never holding it). */
    private static Read read(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long length = 0;
        int rewritten = 0;
        int matched = 0;
        StringBuilder line = new StringBuilder();
        String firstUrl = null;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                length += n;
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    matched = b == MARK[matched] ? matched + 1 : b == MARK[0] ? 1 : 0;
                    if (matched == MARK.length) {
                        rewritten++;
                        matched = 0;
                    }
                    if (firstUrl == null) {
                        if (b == '\n') {
                            String l = line.toString().trim().replace("\"", "");
                            if (l.startsWith("- http") && l.contains("/_charts/")) {
                                firstUrl = l.substring(2);
                            }
                            line.setLength(0);
                        } else {
                            line.append((char) b);
                        }
                    }
                }
            }
        }
        return new Read(r.statusCode(), r.headers().firstValueAsLong("Content-Length").orElse(-1), length,
                HexFormat.of().formatHex(md.digest()), rewritten, firstUrl);
    }

    /**
     * Serves {@code /charts/index.yaml}: one real chart ({@code first}, at {@code /download/first-1.0.0.tgz} on
     * the same origin) followed by the entries of {@link LargeIndex}, generated while it is sent, chunked.
     */
    private static Server upstream(byte[] tgz, AtomicInteger indexRequests) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.addServlet(new ServletHolder(new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                String base = "http://127.0.0.1:" + req.getLocalPort();
                if (req.getRequestURI().equals("/download/first-1.0.0.tgz")) {
                    resp.setContentType("application/gzip");
                    resp.setContentLength(tgz.length);
                    resp.getOutputStream().write(tgz);
                    return;
                }
                if (!req.getRequestURI().equals("/charts/index.yaml")) {
                    resp.sendError(404);
                    return;
                }
                indexRequests.incrementAndGet();
                String head = "apiVersion: v1\nentries:\n  first:\n"
                        + TestCharts.entry("first", "1.0.0", base + "/download/first-1.0.0.tgz", tgz);
                InputStream large = LargeIndex.of(SIZE);
                large.skipNBytes("apiVersion: v1\nentries:\n".length());
                resp.setContentType("application/x-yaml");
                try (InputStream in = new SequenceInputStream(
                        new ByteArrayInputStream(head.getBytes(StandardCharsets.UTF_8)), large)) {
                    OutputStream out = resp.getOutputStream();
                    in.transferTo(out);
                }
            }
        }), "/*");
        server.setHandler(ctx);
        server.start();
        return server;
    }
}
