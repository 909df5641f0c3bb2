package io.binaryrepo.helm;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A Helm chart repository upstream for tests, on two origins of one embedded Jetty (127.0.0.1, free
 * ports): the index origin serves {@code /charts/index.yaml} (with an ETag and conditional answers) and
 * relative charts; the releases origin stands for a download site (GitHub releases, a CDN) that absolute
 * chart URLs point to. Counts every request per origin and path and records the Authorization headers
 * each origin received. Thread-safe; configure it before the requests it should affect.
 */
final class ChartServer implements AutoCloseable {
    enum Origin { INDEX, RELEASES }

    /** Repository path on the index origin. */
    static final String REPO_PATH = "/charts";

    private final Server server = new Server();
    private final ServerConnector index = new ServerConnector(server);
    private final ServerConnector releases = new ServerConnector(server);
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<String> indexAuthorizations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> releaseAuthorizations = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile byte[] indexYaml;
    private volatile String etag;
    /** When non-zero, index.yaml is answered with this status. */
    volatile int indexStatus;
    /** When true, index.yaml GETs wait (for at most 60 s, or until close) instead of answering. */
    volatile boolean stallIndex;
    /** When true, answers carry no ETag and ignore If-None-Match. */
    volatile boolean noValidators;
    private volatile String basicCredentials;

    private ChartServer() {
        index.setHost("127.0.0.1");
        releases.setHost("127.0.0.1");
        server.addConnector(index);
        server.addConnector(releases);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.addServlet(new Handler(), "/*");
        server.setHandler(ctx);
    }

    static ChartServer start() throws Exception {
        ChartServer s = new ChartServer();
        s.server.start();
        return s;
    }

    /** The repository URL on the index origin: {@code http://127.0.0.1:PORT/charts}. */
    String repoUrl() {
        return "http://127.0.0.1:" + index.getLocalPort() + REPO_PATH;
    }

    /** Base of the releases origin: {@code http://127.0.0.1:PORT}. */
    String releasesUrl() {
        return "http://127.0.0.1:" + releases.getLocalPort();
    }

    /** The releases origin as an allowedHosts entry: {@code 127.0.0.1:PORT}. */
    String releasesHost() {
        return "127.0.0.1:" + releases.getLocalPort();
    }

    /** Sets index.yaml (and a new ETag). */
    void putIndex(String yaml) {
        byte[] b = yaml.getBytes(StandardCharsets.UTF_8);
        indexYaml = b;
        etag = "\"" + sha256(b).substring(0, 16) + "\"";
    }

    /** Serves {@code body} at {@code path} on {@code origin}. */
    void put(Origin origin, String path, byte[] body) {
        files.put(origin + path, body);
    }

    /** Requests {@code origin} received for {@code path} (any method). */
    int count(Origin origin, String path) {
        AtomicInteger n = counts.get(origin + path);
        return n == null ? 0 : n.get();
    }

    /** Authorization headers (null for none) each request to {@code origin} carried, in order. */
    List<String> authorizations(Origin origin) {
        List<String> l = origin == Origin.INDEX ? indexAuthorizations : releaseAuthorizations;
        synchronized (l) {
            return new ArrayList<>(l);
        }
    }

    /** Every request to the index origin then needs HTTP Basic {@code user:pass} (401 challenge otherwise). */
    void requireBasic(String user, String pass) {
        basicCredentials = "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        released.countDown();
        server.stop();
    }

    private final class Handler extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            Origin origin = req.getLocalPort() == releases.getLocalPort() ? Origin.RELEASES : Origin.INDEX;
            String path = req.getRequestURI();
            counts.computeIfAbsent(origin + path, k -> new AtomicInteger()).incrementAndGet();
            String auth = req.getHeader("Authorization");
            (origin == Origin.INDEX ? indexAuthorizations : releaseAuthorizations).add(auth);
            if (origin == Origin.INDEX && basicCredentials != null && !basicCredentials.equals(auth)) {
                resp.setStatus(401);
                resp.setHeader("WWW-Authenticate", "Basic realm=\"charts\"");
                return;
            }
            if (origin == Origin.INDEX && path.equals(REPO_PATH + "/index.yaml")) {
                index(req, resp);
                return;
            }
            byte[] body = files.get(origin + path);
            if (body == null) {
                resp.setStatus(404);
                return;
            }
            resp.setStatus(200);
            resp.setContentType("application/octet-stream");
            resp.setContentLength(body.length);
            if (!req.getMethod().equals("HEAD")) {
                resp.getOutputStream().write(body);
            }
        }

        private void index(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (stallIndex) {
                try {
                    released.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (indexStatus != 0) {
                resp.setStatus(indexStatus);
                return;
            }
            byte[] body = indexYaml;
            if (body == null) {
                resp.setStatus(404);
                return;
            }
            if (!noValidators) {
                resp.setHeader("ETag", etag);
                if (etag.equals(req.getHeader("If-None-Match"))) {
                    resp.setStatus(304);
                    return;
                }
            }
            resp.setStatus(200);
            resp.setContentType("text/yaml");
            resp.setContentLength(body.length);
            resp.getOutputStream().write(body);
        }
    }
}
