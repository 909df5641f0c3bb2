package io.binaryrepo.testing;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The in-process upstream of the formats' component tests: one toolkit for every format (npm, Maven, PyPI,
 * ...). A test puts {@link Route}s under raw paths (exactly as binaryrepo sends them, query included when
 * the route was put with one); each route answers with a status, a body and headers, honours
 * {@code If-None-Match} against its ETag (304) and HEAD, and can misbehave on purpose ({@link Fault}):
 * truncate, corrupt a byte, stall until released, fail with 500, rate-limit with 429 and
 * {@code Retry-After}, hold the second half of the body until a gate opens (to test coalescing while a
 * download is in flight), or send the body chunked without a {@code Content-Length}. Every request is recorded with its headers and body. Anything not put answers
 * 404. Bound to 127.0.0.1 on a free port. Thread-safe.
 */
public final class FakeUpstream implements AutoCloseable {

    /** How a route misbehaves. */
    public enum Fault { NONE, TRUNCATE, CORRUPT, STALL, FAIL_500, RATE_LIMIT_429, HOLD_HALF, NO_LENGTH }

    /** One request as received. */
    public record Seen(String method, String path, Map<String, String> headers, byte[] body) {
        /** A request header (first value, case-insensitive name), or null. */
        public String header(String name) {
            for (Map.Entry<String, String> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }
    }

    /**
     * A canned answer. Build with {@link #ok}/{@link #status} and refine with the {@code with*} methods.
     *
     * @param status HTTP status
     * @param body the body (also what a HEAD announces as Content-Length)
     * @param headers response headers (Content-Type, ETag, Last-Modified, X-Checksum-Sha1, ...)
     * @param fault how it misbehaves
     */
    public record Route(int status, byte[] body, Map<String, String> headers, Fault fault) {
        public static Route ok(byte[] body, String contentType) {
            return new Route(200, body, Map.of("Content-Type", contentType), Fault.NONE);
        }

        public static Route ok(String body, String contentType) {
            return ok(body.getBytes(StandardCharsets.UTF_8), contentType);
        }

        public static Route status(int status) {
            return new Route(status, ("status " + status + "\n").getBytes(StandardCharsets.UTF_8),
                    Map.of("Content-Type", "text/plain"), Fault.NONE);
        }

        public Route withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Route(status, body, h, fault);
        }

        /** Adds an ETag; a request with a matching {@code If-None-Match} then gets 304. */
        public Route withEtag(String etag) {
            return withHeader("ETag", etag);
        }

        public Route withFault(Fault f) {
            return new Route(status, body, headers, f);
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    private volatile Function<Seen, Route> dynamic = s -> null;
    private volatile boolean record = true;
    /** Released by {@link #release()}: stalled and half-held answers wait on it. */
    private volatile CountDownLatch gate = new CountDownLatch(1);

    private FakeUpstream(int port) {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.addServlet(new ServletHolder(new Handler()), "/*");
        server.setHandler(ctx);
    }

    /** Starts on a free port. */
    public static FakeUpstream start() throws Exception {
        return start(0);
    }

    /** Starts on {@code port} (0: a free one), e.g. to restart on the same port after {@link #stop()}. */
    public static FakeUpstream start(int port) throws Exception {
        FakeUpstream u = new FakeUpstream(port);
        u.server.start();
        return u;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Answers {@code route} for {@code rawPath} (path and, if the client sends one, {@code ?query}). */
    public FakeUpstream put(String rawPath, Route route) {
        routes.put(rawPath, route);
        return this;
    }

    /** Removes the answer of {@code rawPath} (it is 404 again). */
    public void remove(String rawPath) {
        routes.remove(rawPath);
    }

    /** Computes answers for requests no route matches (null: 404), e.g. for generated names. */
    public void dynamic(Function<Seen, Route> answers) {
        this.dynamic = answers;
    }

    /** Whether requests are recorded (off for floods of millions of requests, whose records would fill the heap). */
    public void record(boolean on) {
        this.record = on;
    }

    /** Lets stalled and half-held answers go on; later ones wait for the next {@link #hold()}. */
    public void release() {
        gate.countDown();
    }

    /** Makes STALL and HOLD_HALF answers wait again (after a {@link #release()}). */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    /** Every request so far, in arrival order. */
    public List<Seen> requests() {
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    /** How many requests with {@code method} arrived for {@code rawPath}. */
    public int count(String method, String rawPath) {
        synchronized (seen) {
            return (int) seen.stream().filter(s -> s.method().equals(method) && s.path().equals(rawPath)).count();
        }
    }

    /** How many requests arrived in all. */
    public int count() {
        return seen.size();
    }

    public void stop() throws Exception {
        server.stop();
    }

    @Override
    public void close() throws Exception {
        release();
        server.stop();
    }

    private final class Handler extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String path = req.getRequestURI() + (req.getQueryString() == null ? "" : "?" + req.getQueryString());
            Map<String, String> headers = new LinkedHashMap<>();
            for (String n : Collections.list(req.getHeaderNames())) {
                headers.put(n, req.getHeader(n));
            }
            Seen s = new Seen(req.getMethod(), path, Map.copyOf(headers), req.getInputStream().readNBytes(1 << 20));
            if (record) {
                seen.add(s);
            }
            Route r = routes.get(path);
            if (r == null) {
                r = dynamic.apply(s);
            }
            if (r == null) {
                r = Route.status(404);
            }
            answer(req, resp, r);
        }

        private void answer(HttpServletRequest req, HttpServletResponse resp, Route r) throws IOException {
            switch (r.fault()) {
                case STALL -> await();
                case FAIL_500 -> r = Route.status(500);
                case RATE_LIMIT_429 -> r = Route.status(429).withHeader("Retry-After", "7");
                default -> { }
            }
            String etag = r.headers().get("ETag");
            String inm = req.getHeader("If-None-Match");
            r.headers().forEach(resp::setHeader);
            if (r.status() == 200 && etag != null && etag.equals(inm)) {
                resp.setStatus(304);
                return;
            }
            resp.setStatus(r.status());
            byte[] body = r.body();
            if (r.fault() != Fault.NO_LENGTH) {
                resp.setContentLengthLong(body.length);
            }
            if (req.getMethod().equals("HEAD")) {
                return;
            }
            OutputStream out = resp.getOutputStream();
            int half = body.length / 2;
            switch (r.fault()) {
                case TRUNCATE -> {
                    out.write(body, 0, half);
                    out.flush();
                    throw new IOException("truncated on purpose"); // Jetty aborts: the client sees a short body
                }
                case CORRUPT -> {
                    byte[] copy = body.clone();
                    copy[half] ^= 0x01;
                    out.write(copy);
                }
                case NO_LENGTH -> {
                    out.write(body, 0, half);
                    out.flush(); // committed without a length: the rest goes chunked
                    out.write(body, half, body.length - half);
                }
                case HOLD_HALF -> {
                    out.write(body, 0, half);
                    out.flush();
                    await();
                    out.write(body, half, body.length - half);
                }
                default -> out.write(body);
            }
        }

        private void await() {
            try {
                gate.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
