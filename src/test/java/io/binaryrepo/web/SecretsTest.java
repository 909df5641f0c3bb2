package io.binaryrepo.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.testing.FakeRegistry;
import io.binaryrepo.testing.MutableClock;
import io.binaryrepo.testing.ProxyServer;
import io.binaryrepo.testing.TestUsers;
import io.binaryrepo.web.HostileRequestsTest.RawHttp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream credentials and bearer tokens never leave binaryrepo: a private image is pulled through a
 * repository with credentials from a token-auth registry, failures are provoked (unknown manifest and
 * blob, token expiry, a second repository with a wrong password, upstream down), and every log record
 * (binaryrepo's loggers at ALL, so debug lines count) and every response (status line, headers, body, as
 * bytes on the wire) is searched for the password, the Basic credentials and every token issued.
 */
class SecretsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private final MutableClock clock = new MutableClock();
    private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
    /** Each response exactly as received, bytes as ISO-8859-1 characters. */
    private final List<String> responses = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private Logger root;
    private Logger binaryrepo;
    private Level rootLevel;
    private Level binaryrepoLevel;
    private FakeRegistry up;
    private ProxyServer proxy;

    @BeforeEach
    void captureLogs() {
        root = Logger.getLogger("");
        binaryrepo = Logger.getLogger("io.binaryrepo");
        rootLevel = root.getLevel();
        binaryrepoLevel = binaryrepo.getLevel();
        capture.setLevel(Level.ALL);
        binaryrepo.setLevel(Level.ALL);
        root.addHandler(capture);
    }

    @AfterEach
    void restore() throws Exception {
        try {
            closeServers();
        } finally {
            root.removeHandler(capture);
            root.setLevel(rootLevel);
            binaryrepo.setLevel(binaryrepoLevel);
        }
    }

    private void closeServers() throws Exception {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        if (up != null) {
            up.close();
            up = null;
        }
    }

    @Test
    void privatePullAndFailures_noPasswordBasicCredentialsOrTokenInAnyLogOrResponse() throws Exception {
        String user = "svc-" + UUID.randomUUID().toString().substring(0, 8);
        String password = "Pw:" + UUID.randomUUID() + "/+=";
        String wrongPassword = "Wrong:" + UUID.randomUUID();
        up = FakeRegistry.start(true);
        up.requireCredentials(user, password);
        FakeRegistry.Image img = up.putImage("private/app", "1", random(5_000, 1), random(70_000, 2));
        proxy = ProxyServer.start(tmp.resolve("cache"), "repositories:\n"
                + "  - name: authed\n    type: docker\n    url: " + up.url() + "\n    username: " + user
                + "\n    password: \"" + password + "\"\n    metadataTtl: 5m\n    readTimeout: 5s\n"
                + "  - name: wrongpw\n    type: docker\n    url: " + up.url() + "\n    username: " + user
                + "\n    password: \"" + wrongPassword + "\"\n    readTimeout: 5s\n", clock);

        String a = "/v2/authed/private/app/";
        String layer0 = img.layerDigests().get(0);
        String layer1 = img.layerDigests().get(1);
        // The private image, every way a client asks for it.
        expect(200, null, "GET", "/v2/");
        expect(200, null, "GET", a + "manifests/1");
        expect(200, null, "HEAD", a + "manifests/1");
        expect(200, null, "GET", a + "manifests/" + img.manifestDigest());
        expect(200, null, "GET", a + "blobs/" + img.configDigest());
        RawHttp.Response blob = expect(200, null, "GET", a + "blobs/" + layer0);
        assertEquals(layer0, FakeRegistry.sha256(blob.body()));
        expect(200, null, "GET", "/repo/authed/v2/private/app/blobs/" + layer1);
        expect(200, null, "HEAD", a + "blobs/" + layer1);
        expect(206, null, "GET", a + "blobs/" + layer1, "Range: bytes=0-9");
        expect(200, null, "GET", "/repo/authed/v2/private/app/tags/list");
        assertTrue(up.tokenRequests().contains("repository:private/app:pull|auth"), up.tokenRequests().toString());

        // Failures with credentials in play.
        expect(404, "MANIFEST_UNKNOWN", "GET", a + "manifests/nope");
        expect(404, "MANIFEST_UNKNOWN", "GET", "/v2/authed/private/missing/manifests/1");
        expect(404, "BLOB_UNKNOWN", "GET", a + "blobs/sha256:" + "0".repeat(64));
        expect(404, "BLOB_UNKNOWN", "HEAD", a + "blobs/sha256:" + "1".repeat(64));
        // Tokens expire (300 s): the next revalidation fetches a new one.
        clock.advance(Duration.ofMinutes(10));
        expect(200, null, "GET", a + "manifests/1");

        // The same private image through a repository with a wrong password: refused, cached or not.
        String w = "/v2/wrongpw/private/app/";
        expect(403, "DENIED", "GET", w + "manifests/1");
        expect(403, "DENIED", "GET", w + "manifests/" + img.manifestDigest());
        expect(403, "DENIED", "GET", w + "blobs/" + layer0);
        expect(403, "DENIED", "HEAD", w + "blobs/" + layer1);
        expect(403, "DENIED", "GET", "/repo/wrongpw/v2/private/app/tags/list");
        assertTrue(up.tokenRequests().stream().anyMatch(t -> t.endsWith("|bad")), up.tokenRequests().toString());

        // Upstream down: an error that carries the upstream's exception.
        List<String> tokens = up.issuedTokens();
        up.stop();
        expect(502, "UNAVAILABLE", "GET", a + "manifests/2");
        closeServers(); // every download thread and log line is done

        Set<String> secrets = new LinkedHashSet<>();
        for (String pw : List.of(password, wrongPassword)) {
            secrets.add(pw);
            secrets.add(URLEncoder.encode(pw, StandardCharsets.UTF_8));
            secrets.add(Base64.getEncoder().encodeToString((user + ":" + pw).getBytes(StandardCharsets.UTF_8)));
            secrets.add(Base64.getEncoder().encodeToString(pw.getBytes(StandardCharsets.UTF_8)));
        }
        assertTrue(tokens.size() >= 3, "tokens issued: " + tokens.size());
        secrets.addAll(tokens);

        assertNoLeaks(secrets);
    }

    @Test
    void clientBasicCredentials_rightWrongAndWithoutRole_neverInAnyLogOrResponse() throws Exception {
        TestUsers users = new TestUsers();
        TestUsers.User reader = users.add("reader-" + UUID.randomUUID().toString().substring(0, 8), "binaryrepo-read");
        TestUsers.User other = users.add("other-" + UUID.randomUUID().toString().substring(0, 8));
        String wrong = "Wrong:" + UUID.randomUUID() + "/+=";
        up = FakeRegistry.start(false);
        FakeRegistry.Image img = up.putImage("library/app", "1", random(5_000, 3));
        proxy = ProxyServer.start(tmp.resolve("cache"), "repositories:\n"
                + "  - name: priv\n    type: docker\n    access: authenticated\n    url: " + up.url() + "\n", clock,
                java.util.Map.of(), users);
        String m = "/v2/priv/library/app/manifests/1";
        for (int i = 0; i < 2; i++) { // the second round answers from the login cache
            expect(200, null, "GET", "/v2/", "Authorization: " + reader.basic());
            expect(200, null, "GET", m, "Authorization: " + reader.basic());
            expect(200, null, "GET", "/v2/priv/library/app/blobs/" + img.layerDigests().get(0),
                    "Authorization: " + reader.basic());
            expect(401, "UNAUTHORIZED", "GET", m, "Authorization: " + TestUsers.User.basic(reader.name(), wrong));
            expect(401, "UNAUTHORIZED", "GET", "/v2/", "Authorization: " + TestUsers.User.basic(reader.name(), wrong));
            expect(403, "DENIED", "GET", m, "Authorization: " + other.basic());
            expect(401, "UNAUTHORIZED", "GET", m, "Authorization: Basic " + Base64.getEncoder()
                    .encodeToString(("nocolon" + wrong).getBytes(StandardCharsets.UTF_8)));
        }
        closeServers();

        Set<String> secrets = new LinkedHashSet<>();
        for (TestUsers.User u : List.of(reader, other)) {
            secrets.add(u.password());
            secrets.add(u.basic().substring("Basic ".length()));
        }
        secrets.add(wrong);
        secrets.add(URLEncoder.encode(wrong, StandardCharsets.UTF_8));
        secrets.add(TestUsers.User.basic(reader.name(), wrong).substring("Basic ".length()));
        assertNoLeaks(secrets);
    }

    /** No log record (binaryrepo's debug lines included) and no recorded response contains any secret. */
    private void assertNoLeaks(Set<String> secrets) {
        assertTrue(records.stream().anyMatch(r -> r.getLoggerName() != null && r.getLoggerName().startsWith("io.binaryrepo")
                && r.getLevel().intValue() <= Level.FINE.intValue()), "binaryrepo's debug lines are captured");
        List<String> leaks = new ArrayList<>();
        synchronized (records) {
            for (LogRecord r : records) {
                String text = logText(r);
                for (String s : secrets) {
                    if (text.contains(s)) {
                        leaks.add("log " + r.getLevel() + " " + r.getLoggerName() + ": " + text);
                    }
                }
            }
        }
        for (String response : responses) {
            for (String s : secrets) {
                if (response.contains(s)) {
                    leaks.add("response: " + abbreviate(response));
                }
            }
        }
        assertEquals(List.of(), leaks, "secrets leaked (" + records.size() + " log records, " + responses.size()
                + " responses searched)");
    }

    /** Sends a request, records the response, checks status and (for errors) the OCI error code. */
    private RawHttp.Response expect(int status, String code, String method, String path, String... headers)
            throws Exception {
        RawHttp.Response r = RawHttp.send(proxy.port(), HostileRequestsTest.request(method, path, headers));
        StringBuilder wire = new StringBuilder(r.statusLine()).append("\r\n");
        r.headerLines().forEach(h -> wire.append(h).append("\r\n"));
        wire.append("\r\n").append(new String(r.body(), StandardCharsets.ISO_8859_1));
        responses.add(wire.toString());
        assertEquals(status, r.status(), () -> method + " " + path + ": " + abbreviate(wire.toString()));
        if (code != null && !method.equals("HEAD")) {
            assertEquals(code, JSON.readTree(r.body()).path("errors").path(0).path("code").asText(), r::toString);
        }
        return r;
    }

    /** Everything a log record can show: raw and formatted message, each parameter, the exception chain. */
    private static String logText(LogRecord r) {
        StringBuilder b = new StringBuilder(String.valueOf(r.getMessage())).append('\n');
        b.append(new SimpleFormatter().formatMessage(r)).append('\n');
        if (r.getParameters() != null) {
            for (Object p : r.getParameters()) {
                b.append(p).append('\n');
            }
        }
        if (r.getThrown() != null) {
            StringWriter sw = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(sw));
            b.append(sw);
        }
        return b.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 1500 ? s : s.substring(0, 1500) + "...";
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void logText_includesParametersAndExceptionChain() {
        // The search above is only as good as what it reads: parameters and nested causes count.
        LogRecord r = new LogRecord(Level.FINE, "fetch {0}");
        r.setParameters(new Object[] {"param-secret"});
        r.setThrown(new IllegalStateException("outer", new RuntimeException("cause-secret")));
        String text = logText(r);
        assertTrue(text.contains("param-secret"));
        assertTrue(text.contains("cause-secret"));
        assertFalse(text.contains("not-there"));
    }
}
