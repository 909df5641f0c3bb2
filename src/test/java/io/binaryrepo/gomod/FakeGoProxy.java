package io.binaryrepo.gomod;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An in-process upstream module proxy for component tests: answers exactly what the test put under a raw
 * path (as binaryrepo sends it, e.g. {@code /example.com/!upper/@v/list}), with an ETag and 304 for a
 * matching {@code If-None-Match}, or a status the test set; 404 for anything else. Records every request.
 * Bound to 127.0.0.1 on a free port. Thread-safe.
 */
final class FakeGoProxy implements AutoCloseable {
    /** A canned answer. */
    private record Answer(int status, byte[] body, String etag) {
    }

    /** One request as received. */
    record Seen(String method, String path, String ifNoneMatch) {
    }

    private final Server server;
    private final ServerConnector connector;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Seen> seen = new ArrayList<>();
    private int port;

    private FakeGoProxy() {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.addServlet(new Handler(), "/*");
        server.setHandler(ctx);
    }

    static FakeGoProxy start() throws Exception {
        FakeGoProxy p = new FakeGoProxy();
        p.server.start();
        p.port = p.connector.getLocalPort();
        return p;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Serves {@code body} with 200 under {@code path}; a new body gets a new ETag. */
    void put(String path, String body) {
        put(path, body.getBytes(StandardCharsets.UTF_8));
    }

    void put(String path, byte[] body) {
        answers.put(path, new Answer(200, body, "\"" + Integer.toHexString(Arrays.hashCode(body)) + "\""));
    }

    /** Answers {@code status} (with a short text body) under {@code path}. */
    void status(String path, int status) {
        answers.put(path, new Answer(status, ("status " + status + "\n").getBytes(StandardCharsets.UTF_8), null));
    }

    /** How many requests (any method) arrived for {@code path}. */
    synchronized int count(String path) {
        return (int) seen.stream().filter(s -> s.path().equals(path)).count();
    }

    synchronized List<Seen> requests() {
        return List.copyOf(seen);
    }

    /** Stops answering: connections are refused until {@link #restart()}. */
    void stop() throws Exception {
        server.stop();
    }

    void restart() throws Exception {
        connector.setPort(port);
        server.start();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private final class Handler extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String path = req.getRequestURI();
            String inm = req.getHeader("If-None-Match");
            synchronized (FakeGoProxy.this) {
                seen.add(new Seen(req.getMethod(), path, inm));
            }
            Answer a = answers.get(path);
            if (a == null) {
                a = new Answer(404, "not found\n".getBytes(StandardCharsets.UTF_8), null);
            }
            if (a.etag() != null) {
                resp.setHeader("ETag", a.etag());
                if (a.etag().equals(inm)) {
                    resp.setStatus(304);
                    return;
                }
            }
            resp.setStatus(a.status());
            resp.setContentType("application/octet-stream");
            resp.setContentLength(a.body().length);
            if (!req.getMethod().equals("HEAD")) {
                resp.getOutputStream().write(a.body());
            }
        }
    }
}
