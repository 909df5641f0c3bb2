package io.binaryrepo.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An in-process OCI registry used as binaryrepo's upstream in component tests. It speaks the pull API
 * with Docker-Hub-like token authentication, counts every request, and misbehaves on purpose when told
 * to (truncate, corrupt, fail, stall, redirect blobs to a second origin that records the headers it
 * receives). Thread-safe; configure it before the requests it should affect.
 */
public final class FakeRegistry implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How blob GETs are answered. */
    public enum BlobMode { NORMAL, TRUNCATE, CORRUPT, FAIL_500, RATE_LIMIT_429, REDIRECT, STALL, STALL_BEFORE_HEADERS }

    /** How manifest requests (GET and HEAD) are answered. */
    public enum ManifestMode { NORMAL, FAIL_500, RATE_LIMIT_429, STALL }

    private final boolean tokenAuth;
    private final Server server;
    private final ServerConnector main;
    private final ServerConnector cdn;
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
    private final Map<String, String> tags = new ConcurrentHashMap<>();
    private final Map<String, Boolean> tokens = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final List<Map<String, String>> cdnRequests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> tokenRequests = Collections.synchronizedList(new ArrayList<>());
    private volatile String username;
    private volatile String password;
    private volatile int mainPort;
    private volatile int cdnPort;

    public volatile BlobMode blobMode = BlobMode.NORMAL;
    public volatile ManifestMode manifestMode = ManifestMode.NORMAL;
    /** When set, sent as Docker Hub's {@code ratelimit-remaining} header on manifest answers. */
    public volatile String rateLimitRemaining;
    /** Released by {@link #close()}; STALL modes wait on it. */
    private final CountDownLatch stalls = new CountDownLatch(1);
    /** When set, a blob GET sends its first half, flushes, then waits for this latch (max 30 s). */
    public volatile CountDownLatch blobGate;

    private FakeRegistry(boolean tokenAuth) {
        this.tokenAuth = tokenAuth;
        server = new Server();
        main = new ServerConnector(server);
        main.setHost("127.0.0.1");
        cdn = new ServerConnector(server);
        cdn.setHost("127.0.0.1");
        server.addConnector(main);
        server.addConnector(cdn);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.addServlet(new Handler(), "/*");
        server.setHandler(ctx);
    }

    /** Starts a registry; with {@code tokenAuth} every request needs a bearer token from {@code /token}. */
    public static FakeRegistry start(boolean tokenAuth) throws Exception {
        FakeRegistry r = new FakeRegistry(tokenAuth);
        r.server.start();
        r.mainPort = r.main.getLocalPort();
        r.cdnPort = r.cdn.getLocalPort();
        return r;
    }

    public String url() {
        return "http://127.0.0.1:" + mainPort;
    }

    /** The CDN origin blobs redirect to, as an allowedHosts entry: {@code 127.0.0.1:PORT}. */
    public String cdnHost() {
        return "127.0.0.1:" + cdnPort;
    }

    /** Names under {@code private/} then need a token obtained with these credentials. */
    public void requireCredentials(String user, String pass) {
        this.username = user;
        this.password = pass;
    }

    /** Stops answering (connections refused) until {@link #restart()}. */
    public void stop() throws Exception {
        server.stop();
    }

    /** Starts again on the same ports. */
    public void restart() throws Exception {
        main.setPort(mainPort);
        cdn.setPort(cdnPort);
        server.start();
    }

    public static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Adds a blob; returns its digest. */
    public String putBlob(byte[] data) {
        String d = sha256(data);
        blobs.put(d, data);
        return d;
    }

    /** An image made of one config blob and the given layers, tagged {@code name:tag}. */
    public record Image(String manifestDigest, byte[] manifest, String configDigest, List<String> layerDigests) {
    }

    public Image putImage(String name, String tag, byte[]... layers) throws IOException {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},\"n\":\""
                + UUID.randomUUID() + "\"}").getBytes(StandardCharsets.UTF_8);
        String configDigest = putBlob(config);
        ObjectNode m = JSON.createObjectNode();
        m.put("schemaVersion", 2);
        m.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        ObjectNode c = m.putObject("config");
        c.put("mediaType", "application/vnd.oci.image.config.v1+json");
        c.put("digest", configDigest);
        c.put("size", config.length);
        var arr = m.putArray("layers");
        List<String> layerDigests = new ArrayList<>();
        for (byte[] layer : layers) {
            String d = putBlob(layer);
            layerDigests.add(d);
            ObjectNode l = arr.addObject();
            l.put("mediaType", "application/vnd.oci.image.layer.v1.tar+gzip");
            l.put("digest", d);
            l.put("size", layer.length);
        }
        byte[] manifest = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
        String md = putManifest(name, tag, "application/vnd.oci.image.manifest.v1+json", manifest);
        return new Image(md, manifest, configDigest, layerDigests);
    }

    /** Adds a manifest (and tags it when {@code tag} is not null); returns its digest. */
    public String putManifest(String name, String tag, String mediaType, byte[] body) {
        String d = sha256(body);
        manifests.put(name + "@" + d, body);
        manifestTypes.put(name + "@" + d, mediaType);
        if (tag != null) {
            tags.put(name + ":" + tag, d);
        }
        return d;
    }

    /** Requests seen, by "METHOD path" (path without query). */
    public int count(String methodAndPath) {
        AtomicInteger n = counts.get(methodAndPath);
        return n == null ? 0 : n.get();
    }

    /** Total requests whose "METHOD path" starts with {@code prefix}. */
    public int countPrefix(String prefix) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToInt(e -> e.getValue().get()).sum();
    }

    /** All request counts, for failure messages. */
    public String counts() {
        return new java.util.TreeMap<>(counts).toString();
    }

    public void resetCounts() {
        counts.clear();
    }

    /** Headers of each request the CDN origin received (names lower case). */
    public List<Map<String, String>> cdnRequests() {
        return List.copyOf(cdnRequests);
    }

    /** For each token request: the scope and whether it carried valid credentials ("scope|auth"/"scope|anon"). */
    public List<String> tokenRequests() {
        return List.copyOf(tokenRequests);
    }

    /** Every bearer token {@code /token} has issued so far (secrets: tests assert they never leak). */
    public List<String> issuedTokens() {
        return List.copyOf(tokens.keySet());
    }

    @Override
    public void close() throws Exception {
        stalls.countDown();
        server.stop();
    }

    private void stall() {
        try {
            stalls.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Handler extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String path = req.getRequestURI();
            if (req.getLocalPort() == cdnPort) {
                cdn(req, resp, path);
                return;
            }
            counts.computeIfAbsent(req.getMethod() + " " + path, k -> new AtomicInteger()).incrementAndGet();
            if (path.equals("/token")) {
                token(req, resp);
                return;
            }
            if (!path.startsWith("/v2/")) {
                resp.sendError(404);
                return;
            }
            String rest = path.substring(4);
            String name = nameOf(rest);
            if (tokenAuth && !authorized(req, name)) {
                resp.setHeader("WWW-Authenticate", "Bearer realm=\"" + url() + "/token\",service=\"fake-registry\""
                        + (name == null ? "" : ",scope=\"repository:" + name + ":pull\""));
                error(resp, 401, "UNAUTHORIZED", "authentication required");
                return;
            }
            resp.setHeader("Docker-Distribution-API-Version", "registry/2.0");
            if (rest.isEmpty()) {
                resp.setContentType("application/json");
                resp.getWriter().write("{}");
                return;
            }
            int mi = rest.lastIndexOf("/manifests/");
            int bi = rest.lastIndexOf("/blobs/");
            if (mi > 0) {
                manifest(req, resp, name, rest.substring(mi + "/manifests/".length()));
            } else if (bi > 0) {
                blob(req, resp, rest.substring(bi + "/blobs/".length()));
            } else if (rest.endsWith("/tags/list")) {
                List<String> t = new ArrayList<>();
                tags.keySet().stream().filter(k -> k.startsWith(name + ":")).forEach(k -> t.add(k.substring(name.length() + 1)));
                Collections.sort(t);
                ObjectNode n = JSON.createObjectNode();
                n.put("name", name);
                t.forEach(n.putArray("tags")::add);
                resp.setContentType("application/json");
                resp.getOutputStream().write(JSON.writeValueAsBytes(n));
            } else {
                error(resp, 404, "NAME_UNKNOWN", "unknown path");
            }
        }

        private String nameOf(String rest) {
            for (String marker : List.of("/manifests/", "/blobs/", "/tags/list")) {
                int i = rest.lastIndexOf(marker);
                if (i > 0) {
                    return rest.substring(0, i);
                }
            }
            return null;
        }

        private boolean authorized(HttpServletRequest req, String name) {
            String a = req.getHeader("Authorization");
            if (a == null || !a.startsWith("Bearer ")) {
                return false;
            }
            Boolean authenticated = tokens.get(a.substring(7));
            if (authenticated == null) {
                return false;
            }
            return name == null || !name.startsWith("private/") || authenticated;
        }

        private void token(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            boolean authenticated = false;
            String a = req.getHeader("Authorization");
            if (a != null && a.startsWith("Basic ")) {
                String up = new String(Base64.getDecoder().decode(a.substring(6)), StandardCharsets.UTF_8);
                if (username == null || !up.equals(username + ":" + password)) {
                    tokenRequests.add(req.getParameter("scope") + "|bad");
                    error(resp, 401, "UNAUTHORIZED", "bad credentials");
                    return;
                }
                authenticated = true;
            }
            tokenRequests.add(req.getParameter("scope") + (authenticated ? "|auth" : "|anon"));
            String t = UUID.randomUUID().toString();
            tokens.put(t, authenticated);
            resp.setContentType("application/json");
            resp.getWriter().write("{\"token\":\"" + t + "\",\"expires_in\":300}");
        }

        private void manifest(HttpServletRequest req, HttpServletResponse resp, String name, String ref) throws IOException {
            switch (manifestMode) {
                case FAIL_500 -> {
                    error(resp, 500, "UNKNOWN", "internal error");
                    return;
                }
                case RATE_LIMIT_429 -> {
                    resp.setHeader("Retry-After", "42");
                    error(resp, 429, "TOOMANYREQUESTS", "slow down");
                    return;
                }
                case STALL -> {
                    stall();
                    return;
                }
                default -> {
                }
            }
            if (rateLimitRemaining != null) {
                resp.setHeader("ratelimit-limit", "100;w=21600");
                resp.setHeader("ratelimit-remaining", rateLimitRemaining);
            }
            String digest = ref.startsWith("sha256:") ? ref : tags.get(name + ":" + ref);
            byte[] body = digest == null ? null : manifests.get(name + "@" + digest);
            if (body == null) {
                error(resp, 404, "MANIFEST_UNKNOWN", "manifest unknown");
                return;
            }
            resp.setContentType(manifestTypes.get(name + "@" + digest));
            resp.setHeader("Docker-Content-Digest", digest);
            resp.setContentLength(body.length);
            if (req.getMethod().equals("GET")) {
                resp.getOutputStream().write(body);
            }
        }

        private void blob(HttpServletRequest req, HttpServletResponse resp, String digest) throws IOException {
            byte[] data = blobs.get(digest);
            if (data == null) {
                error(resp, 404, "BLOB_UNKNOWN", "blob unknown");
                return;
            }
            if (req.getMethod().equals("HEAD")) {
                resp.setContentLength(data.length);
                resp.setHeader("Docker-Content-Digest", digest);
                return;
            }
            switch (blobMode) {
                case FAIL_500 -> error(resp, 500, "UNKNOWN", "internal error");
                case RATE_LIMIT_429 -> {
                    resp.setHeader("Retry-After", "17");
                    error(resp, 429, "TOOMANYREQUESTS", "slow down");
                }
                case STALL_BEFORE_HEADERS -> stall(); // nothing sent: not even the status line
                case REDIRECT -> {
                    resp.setStatus(307);
                    resp.setHeader("Location", "http://127.0.0.1:" + cdnPort + "/cdn/" + digest + "?signature=abc");
                }
                default -> sendBlob(resp, data);
            }
        }

        private void sendBlob(HttpServletResponse resp, byte[] data) throws IOException {
            resp.setContentType("application/octet-stream");
            resp.setContentLength(data.length);
            byte[] body = data;
            if (blobMode == BlobMode.CORRUPT) {
                body = data.clone();
                body[body.length / 2] ^= 0x5a;
            }
            int half = body.length / 2;
            OutputStream out = resp.getOutputStream();
            out.write(body, 0, half);
            CountDownLatch gate = blobGate;
            if (gate != null) {
                out.flush();
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (blobMode == BlobMode.STALL) {
                out.flush();
                stall();
                throw new IOException("stalled");
            }
            if (blobMode == BlobMode.TRUNCATE) {
                out.flush();
                // Break the connection with the body incomplete.
                throw new IOException("truncating on purpose");
            }
            out.write(body, half, body.length - half);
        }

        private void cdn(HttpServletRequest req, HttpServletResponse resp, String path) throws IOException {
            Map<String, String> h = new ConcurrentHashMap<>();
            for (String n : Collections.list(req.getHeaderNames())) {
                h.put(n.toLowerCase(), req.getHeader(n));
            }
            cdnRequests.add(h);
            byte[] data = path.startsWith("/cdn/") ? blobs.get(path.substring(5)) : null;
            if (data == null) {
                resp.sendError(404);
                return;
            }
            resp.setContentLength(data.length);
            resp.getOutputStream().write(data);
        }

        private void error(HttpServletResponse resp, int status, String code, String message) throws IOException {
            resp.setStatus(status);
            resp.setContentType("application/json");
            resp.getWriter().write("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}");
        }
    }
}
