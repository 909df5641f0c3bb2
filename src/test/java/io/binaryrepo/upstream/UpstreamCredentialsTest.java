package io.binaryrepo.upstream;

import static io.binaryrepo.upstream.TestOrigin.redirect;
import static io.binaryrepo.upstream.TestOrigin.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.config.RepositoryConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, no credential capture: the configured password goes only to realms the upstream's own
 * origin names, and only over https for an https upstream. The hostile server is reachable (listed in
 * allowedHosts), so only the credential rules keep the password from it.
 */
class UpstreamCredentialsTest {
    private static final String USER = "robot";
    private static final String PASSWORD = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

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

    /** Whether any request {@code o} received carried the password, in Basic or in clear. */
    private static boolean sawPassword(TestOrigin o) {
        String basic = Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        return o.requests().stream().anyMatch(s -> s.target().contains(PASSWORD)
                || s.headers().values().stream().anyMatch(v -> v.contains(basic) || v.contains(PASSWORD)));
    }

    /** A token service and registry in one: /token hands out a token to the configured user. */
    private static TestOrigin.Answer ownRegistry(TestOrigin[] self) {
        return (req, resp) -> {
            String auth = req.getHeader("Authorization");
            if (req.getRequestURI().equals("/token")) {
                text(200, "{\"token\":\"own-token\",\"expires_in\":300}").answer(req, resp);
            } else if (req.getRequestURI().startsWith("/v2/lib/app/manifests/") && !"Bearer own-token".equals(auth)) {
                resp.setHeader("WWW-Authenticate", "Bearer realm=\"" + self[0].url() + "/token\",service=\"own\"");
                text(401, "{}").answer(req, resp);
            } else if (req.getRequestURI().startsWith("/v2/lib/app/manifests/")) {
                text(200, "manifest").answer(req, resp);
            } else {
                redirect(self[1].url() + "/cdn/blob").answer(req, resp);
            }
        };
    }

    @Test
    void challengeFromTheHostARedirectLedTo_isNotLearned_andThePasswordNeverReachesIt() throws Exception {
        TestOrigin[] both = new TestOrigin[2];
        TestOrigin hostile = closeAfter(TestOrigin.http((req, resp) -> {
            if (req.getRequestURI().startsWith("/steal")) {
                text(200, "{\"token\":\"stolen\"}").answer(req, resp);
                return;
            }
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"" + both[1].url() + "/steal\",service=\"x\"");
            text(401, "{}").answer(req, resp);
        }));
        both[1] = hostile;
        both[0] = closeAfter(TestOrigin.http(ownRegistry(both)));
        RepositoryConfig config = Upstreams.withCredentials(both[0].url(), USER, PASSWORD, hostile.hostAndPort());
        UpstreamClient c = closeAfter(new UpstreamClient(config, Clock.systemUTC()));

        try (UpstreamResponse r = c.send(Traffic.CONTENT, "GET", "/v2/lib/app/blobs/sha256:ab", Map.of(),
                "repository:lib/app:pull")) {
            assertEquals(401, r.status(), "the foreign 401 is the answer, not a reason to authenticate there");
        }
        // The registry's own challenge still works afterwards, and the realm stays the registry's.
        try (UpstreamResponse r = c.send("GET", "/v2/lib/app/manifests/1", Map.of(), "repository:lib/app:pull")) {
            assertEquals(200, r.status());
        }

        assertFalse(sawPassword(hostile), "the password must never reach another origin");
        assertTrue(hostile.requests().stream().noneMatch(s -> s.target().startsWith("/steal")), "no token request there");
        assertFalse(hostile.received("Authorization"));
        assertTrue(sawPassword(both[0]), "the own realm got the credentials (the test can see them)");
    }

    @Test
    void httpsUpstream_namingAPlainHttpRealm_isRefused_andTheRealmGetsNothing() throws Exception {
        TestOrigin.Tls tls = TestOrigin.Tls.create(tmp);
        TestOrigin realm = closeAfter(TestOrigin.http(text(200, "{\"token\":\"t\"}")));
        TestOrigin up = closeAfter(TestOrigin.https(tls, (req, resp) -> {
            resp.setHeader("WWW-Authenticate", "Bearer realm=\"" + realm.url() + "/token\",service=\"s\"");
            text(401, "{}").answer(req, resp);
        }));
        RepositoryConfig config = Upstreams.withCredentials(up.url(), USER, PASSWORD, realm.hostAndPort());
        UpstreamClient c = closeAfter(new UpstreamClient(config, Clock.systemUTC(), ConnectionPools.Sizes.DEFAULT,
                tls.clientContext()));

        UpstreamException e = assertThrows(UpstreamException.class,
                () -> c.send("GET", "/v2/lib/app/manifests/1", Map.of(), "repository:lib/app:pull"));

        assertEquals(UpstreamException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().contains("plain-http token realm " + realm.url()), e.getMessage());
        assertEquals(0, realm.requests().size(), "no request at all may go to the plain-http realm");
        assertFalse(e.getMessage().contains(PASSWORD));
    }

    @Test
    void plainHttpUpstream_mayNameAPlainHttpRealmOnItsOwnOrigin() throws Exception {
        TestOrigin[] both = new TestOrigin[2];
        both[0] = closeAfter(TestOrigin.http(ownRegistry(both)));
        UpstreamClient c = closeAfter(new UpstreamClient(Upstreams.withCredentials(both[0].url(), USER, PASSWORD),
                Clock.systemUTC()));

        try (UpstreamResponse r = c.send("GET", "/v2/lib/app/manifests/1", Map.of(), "repository:lib/app:pull")) {
            assertEquals(200, r.status());
        }
    }
}
