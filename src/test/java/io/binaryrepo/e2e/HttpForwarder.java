package io.binaryrepo.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain-HTTP forwarder on 127.0.0.1 in front of a live (usually HTTPS) upstream, so an end-to-end test can
 * make the upstream unreachable by {@link #close() stopping} it: afterwards connections to its port are
 * refused, exactly what a proxy sees when its upstream is down. GET and HEAD only; bodies are streamed, never
 * held in memory; redirects are passed back as they are. Counts requests, in total and per request line
 * ({@link #count(String)}, at most {@value #MAX_LINES} distinct lines), and can pace response bodies
 * ({@link #limitRate(long)}) so a download is still running when a test breaks something. Thread-safe; at most
 * {@value #THREADS} requests are forwarded at once (more wait for a thread).
 */
public final class HttpForwarder implements AutoCloseable {
    static final int THREADS = 16;
    static final int MAX_LINES = 10_000;
    private static final Set<String> REQUEST_HEADERS = Set.of("accept", "accept-encoding", "if-none-match",
            "if-modified-since", "range", "user-agent");
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding",
            "content-length", "upgrade", "te", "trailer", "proxy-connection", "date", ":status");

    private final URI upstream;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final AtomicInteger requests = new AtomicInteger();
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> lines = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.AtomicLong> bodyBytes =
            new java.util.concurrent.ConcurrentHashMap<>();
    private volatile long bytesPerSecond;

    private HttpForwarder(URI upstream) throws IOException {
        this.upstream = upstream;
        this.executor = Executors.newFixedThreadPool(THREADS);
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::forward);
        server.setExecutor(executor);
        server.start();
    }

    /** Starts forwarding {@code http://127.0.0.1:<port>/<p>} to {@code <upstream>/<p>}. */
    public static HttpForwarder start(URI upstream) {
        try {
            return new HttpForwarder(URI.create(upstream.toString().replaceAll("/+$", "")));
        } catch (IOException e) {
            throw new AssertionError("cannot start the forwarder: " + e, e);
        }
    }

    /** The base URL to use instead of the upstream's, without a trailing slash. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many requests were forwarded so far. */
    public int requests() {
        return requests.get();
    }

    /**
     * How many requests with this line were forwarded so far, e.g. {@code "GET /v2/library/a/blobs/sha256:..."}
     * (method, space, raw path with the query).
     */
    public int count(String methodAndPath) {
        AtomicInteger n = lines.get(methodAndPath);
        return n == null ? 0 : n.get();
    }

    /** Body bytes sent so far to clients for requests with this line (see {@link #count(String)}). */
    public long bodyBytes(String methodAndPath) {
        java.util.concurrent.atomic.AtomicLong n = bodyBytes.get(methodAndPath);
        return n == null ? 0 : n.get();
    }

    /** Paces every response body to about this many bytes per second from now on (0: as fast as it comes). */
    public void limitRate(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            requests.incrementAndGet();
            String raw = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String line = method + " " + raw + (query == null ? "" : "?" + query);
            if (lines.size() < MAX_LINES || lines.containsKey(line)) {
                lines.computeIfAbsent(line, k -> new AtomicInteger()).incrementAndGet();
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + raw + (query == null ? "" : "?" + query)))
                    .timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.noBody());
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (REQUEST_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(v -> b.header(name, v));
                }
            });
            HttpResponse<InputStream> r;
            try {
                r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                exchange.sendResponseHeaders(502, -1);
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(502, -1);
                return;
            }
            relay(exchange, method, r, lines.containsKey(line)
                    ? bodyBytes.computeIfAbsent(line, k -> new java.util.concurrent.atomic.AtomicLong())
                    : new java.util.concurrent.atomic.AtomicLong());
        }
    }

    private void relay(HttpExchange exchange, String method, HttpResponse<InputStream> r,
            java.util.concurrent.atomic.AtomicLong sent) throws IOException {
        try (InputStream body = r.body()) {
            r.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            long length = r.headers().firstValueAsLong("content-length").orElse(-1);
            boolean noBody = method.equals("HEAD") || r.statusCode() == 304 || r.statusCode() == 204 || length == 0;
            if (method.equals("HEAD") && length >= 0) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
            }
            // HttpServer: -1 means "no body", 0 means "chunked".
            exchange.sendResponseHeaders(r.statusCode(), noBody ? -1 : Math.max(length, 0));
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    copyPaced(body, out, sent);
                }
            }
        }
    }

    private void copyPaced(InputStream in, OutputStream out, java.util.concurrent.atomic.AtomicLong sent) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long start = System.nanoTime();
        long total = 0;
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
            total += n;
            sent.addAndGet(n);
            long rate = bytesPerSecond;
            if (rate > 0) {
                long due = start + total * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                }
            }
        }
    }

    /** Stops listening (later connections are refused) and ends the exchanges in flight. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
