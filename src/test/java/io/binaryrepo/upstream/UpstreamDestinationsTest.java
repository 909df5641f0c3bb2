package io.binaryrepo.upstream;

import static io.binaryrepo.upstream.TestOrigin.redirect;
import static io.binaryrepo.upstream.TestOrigin.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.config.RepositoryConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, no open proxy: redirects and absolute URLs lead only to the upstream's own origin, to public
 * addresses, or to allowedHosts, never from https to http. Real HTTP(S) servers on 127.0.0.1 stand for
 * both the upstream and the internal targets.
 */
class UpstreamDestinationsTest {
    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeAfter(T c) {
        open.add(c);
        return c;
    }

    private UpstreamClient client(RepositoryConfig config) {
        return closeAfter(new UpstreamClient(config, Clock.systemUTC()));
    }

    private TestOrigin origin(TestOrigin.Answer answer) throws Exception {
        return closeAfter(TestOrigin.http(answer));
    }

    private static String get(UpstreamClient c, String path) throws Exception {
        try (UpstreamResponse r = c.send("GET", path, Map.of(), null)) {
            return r.status() + " " + new String(r.readBody(1024), StandardCharsets.UTF_8);
        }
    }

    private static UpstreamException refused(UpstreamClient c, String path) {
        UpstreamException e = assertThrows(UpstreamException.class, () -> get(c, path));
        assertEquals(UpstreamException.Kind.REFUSED, e.kind(), e.getMessage());
        return e;
    }

    @Test
    void redirectToAnotherLoopbackPort_withoutAllowedHosts_isRefusedBeforeConnecting() throws Exception {
        TestOrigin internal = origin(text(200, "internal"));
        TestOrigin up = origin(redirect(internal.url() + "/admin"));
        UpstreamClient c = client(Upstreams.config(up.url()));

        UpstreamException e = refused(c, "/x");

        assertTrue(e.getMessage().contains("127.0.0.1:" + internal.port()), e.getMessage());
        assertTrue(e.getMessage().contains("loopback") && e.getMessage().contains("allowedHosts"), e.getMessage());
        assertEquals(0, internal.requests().size(), "nothing may reach the internal server");
    }

    @Test
    void redirectToAnotherLoopbackPort_listedInAllowedHosts_isFollowed() throws Exception {
        TestOrigin cdn = origin(text(200, "from the cdn"));
        TestOrigin up = origin(redirect(cdn.url() + "/blob"));
        UpstreamClient c = client(Upstreams.config(up.url(), cdn.hostAndPort()));

        assertEquals("200 from the cdn", get(c, "/x"));
        assertEquals("/blob", cdn.requests().get(0).target());
    }

    @Test
    void allowedHostWithPort_allowsOnlyThatPort() throws Exception {
        TestOrigin listed = origin(text(200, "listed"));
        TestOrigin other = origin(text(200, "other"));
        TestOrigin up = origin((req, resp) -> redirect(
                (req.getRequestURI().equals("/listed") ? listed : other).url() + "/").answer(req, resp));
        UpstreamClient c = client(Upstreams.config(up.url(), listed.hostAndPort()));

        assertEquals("200 listed", get(c, "/listed"));
        UpstreamException e = refused(c, "/other");
        assertTrue(e.getMessage().contains(":" + other.port()), e.getMessage());
        assertEquals(0, other.requests().size());
    }

    @Test
    void allowedHostWithoutPort_allowsEveryPortOfThatHost() throws Exception {
        TestOrigin cdn = origin(text(200, "cdn"));
        TestOrigin up = origin(redirect(cdn.url() + "/"));
        UpstreamClient c = client(Upstreams.config(up.url(), "127.0.0.1"));

        assertEquals("200 cdn", get(c, "/x"));
    }

    @Test
    void redirectToCloudMetadataAddress_isRefused() throws Exception {
        TestOrigin up = origin((req, resp) -> redirect(switch (req.getRequestURI()) {
            case "/v4" -> "http://169.254.169.254/latest/meta-data/iam/security-credentials/";
            case "/v6" -> "http://[::ffff:169.254.169.254]/latest/meta-data/";
            default -> "http://[fd00:ec2::254]/latest/meta-data/";
        }).answer(req, resp));
        UpstreamClient c = client(Upstreams.config(up.url()));

        UpstreamException e = refused(c, "/v4");
        assertTrue(e.getMessage().contains("169.254.169.254") && e.getMessage().contains("link-local"), e.getMessage());
        assertTrue(refused(c, "/v6").getMessage().contains("link-local"));
        assertTrue(refused(c, "/ula").getMessage().contains("unique-local"));
    }

    @Test
    void redirectToAHostNameResolvingToLoopback_isRefusedOnTheResolvedAddress() throws Exception {
        TestOrigin internal = origin(text(200, "internal"));
        TestOrigin up = origin(redirect("http://localhost:" + internal.port() + "/"));
        UpstreamClient c = client(Upstreams.config(up.url()));

        UpstreamException e = refused(c, "/x");
        assertTrue(e.getMessage().contains("localhost:" + internal.port()) && e.getMessage().contains("loopback"),
                e.getMessage());
        assertEquals(0, internal.requests().size());
    }

    @Test
    void redirectFromHttpsToHttp_isRefusedEvenToAnAllowedHost() throws Exception {
        TestOrigin.Tls tls = TestOrigin.Tls.create(tmp);
        TestOrigin plain = origin(text(200, "plain"));
        TestOrigin up = closeAfter(TestOrigin.https(tls, (req, resp) -> {
            if (req.getRequestURI().equals("/same")) {
                text(200, "over tls").answer(req, resp);
            } else {
                redirect(plain.url() + "/").answer(req, resp);
            }
        }));
        UpstreamClient c = closeAfter(new UpstreamClient(Upstreams.config(up.url(), plain.hostAndPort()),
                Clock.systemUTC(), ConnectionPools.Sizes.DEFAULT, tls.clientContext()));

        assertEquals("200 over tls", get(c, "/same"), "the TLS upstream itself is reachable");
        UpstreamException e = refused(c, "/down");
        assertTrue(e.getMessage().contains("from https to plain http"), e.getMessage());
        assertEquals(0, plain.requests().size());
    }

    @Test
    void absoluteUrlOnAnotherLoopbackPort_isRefusedUnlessAllowed() throws Exception {
        TestOrigin releases = origin(text(200, "chart"));
        TestOrigin up = origin(text(200, "index"));
        URI chart = URI.create(releases.url() + "/nginx-1.2.3.tgz");

        UpstreamClient strict = client(Upstreams.config(up.url()));
        UpstreamException e = assertThrows(UpstreamException.class, () -> strict.send("GET", chart, Map.of(), null));
        assertEquals(UpstreamException.Kind.REFUSED, e.kind());
        assertEquals(0, releases.requests().size());

        UpstreamClient allowing = client(Upstreams.config(up.url(), releases.hostAndPort()));
        try (UpstreamResponse r = allowing.send(Traffic.CONTENT, "GET", chart, Map.of(), null)) {
            assertEquals(200, r.status());
            assertEquals("chart", new String(r.readBody(100), StandardCharsets.UTF_8));
        }
    }

    @Test
    void absoluteUrlToMetadataAddress_isRefused() throws Exception {
        TestOrigin up = origin(text(200, "index"));
        UpstreamClient c = client(Upstreams.config(up.url()));

        UpstreamException e = assertThrows(UpstreamException.class,
                () -> c.send("GET", URI.create("http://169.254.169.254/latest/meta-data/"), Map.of(), null));
        assertEquals(UpstreamException.Kind.REFUSED, e.kind());
    }

    @Test
    void upstreamsOwnOrigin_onLoopback_isReachable() throws Exception {
        TestOrigin up = origin((req, resp) -> {
            if (req.getRequestURI().equals("/a")) {
                redirect("/b").answer(req, resp);
            } else {
                text(200, "b").answer(req, resp);
            }
        });
        UpstreamClient c = client(Upstreams.config(up.url()));

        assertEquals("200 b", get(c, "/a"), "redirects within the upstream's own origin are followed");
    }
}
