package io.binaryrepo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenIssuerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private TokenIssuer issuer;

    @BeforeAll
    void start() {
        issuer = TokenIssuer.withRandomCredentials();
    }

    @AfterAll
    void stop() {
        if (issuer != null) {
            issuer.close();
        }
    }

    @BeforeEach
    void clear() {
        issuer.clearRequests();
    }

    @Test
    void anonymousGetsPullOnPublicRepositoriesOnly() throws Exception {
        JsonNode claims = claims(token(null, "repository:library/small:pull,push"));
        assertEquals(JSON.readTree("[{\"type\":\"repository\",\"name\":\"library/small\",\"actions\":[\"pull\"]}]"),
                claims.get("access"));
        assertEquals("", claims.get("sub").asText());

        JsonNode denied = claims(token(null, "repository:private/secret:pull"));
        assertEquals(0, denied.get("access").size());

        TokenIssuer.TokenRequest last = issuer.requests().get(1);
        assertFalse(last.authenticated());
        assertEquals(List.of("repository:private/secret:pull"), last.scopes());
        assertEquals(List.of(), last.granted());
        assertEquals(2, issuer.requestCount());
    }

    @Test
    void theUserGetsPullAndPushEverywhereForEveryScope() throws Exception {
        String token = token(issuer.credentials(), "repository:private/secret:pull,push",
                "repository:library/a:pull repository:library/b:push", "registry:catalog:*");
        JsonNode access = claims(token).get("access");
        assertEquals(3, access.size(), access.toString());
        assertEquals("private/secret", access.get(0).get("name").asText());
        assertEquals("[\"pull\",\"push\"]", access.get(0).get("actions").toString());
        assertEquals("[\"push\"]", access.get(2).get("actions").toString());
        assertEquals(issuer.username(), claims(token).get("sub").asText());
        TokenIssuer.TokenRequest r = issuer.requests().get(0);
        assertTrue(r.authenticated());
        assertEquals(4, r.scopes().size());
        assertEquals(issuer.service(), r.service());
    }

    @Test
    void wrongCredentialsGet401() throws Exception {
        HttpResponse<String> r = get(basic(issuer.username() + ":wrong"), "repository:library/small:pull");
        assertEquals(401, r.statusCode());
        HttpResponse<String> bearer = get("Bearer whatever", "repository:library/small:pull");
        assertEquals(401, bearer.statusCode());
        assertEquals(2, issuer.requestCount());
        assertEquals(401, issuer.requests().get(0).status());
        assertFalse(issuer.requests().get(0).authenticated());
    }

    @Test
    void tokenIsAnRs256JwtWithX5cAndTheClaimsDistributionVerifies() throws Exception {
        HttpResponse<String> response = get(null, "repository:library/small:pull");
        assertEquals(200, response.statusCode());
        JsonNode body = JSON.readTree(response.body());
        String token = body.get("token").asText();
        assertEquals(token, body.get("access_token").asText());
        assertEquals(300, body.get("expires_in").asInt());
        Instant issuedAt = Instant.parse(body.get("issued_at").asText());
        assertTrue(Math.abs(issuedAt.getEpochSecond() - Instant.now().getEpochSecond()) < 60);

        String[] parts = token.split("\\.");
        assertEquals(3, parts.length);
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        assertEquals("RS256", header.get("alg").asText());

        X509Certificate cert;
        try (InputStream in = Files.newInputStream(issuer.certificatePem())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        assertEquals(Base64.getEncoder().encodeToString(cert.getEncoded()), header.get("x5c").get(0).asText());
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(cert.getPublicKey());
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(Base64.getUrlDecoder().decode(parts[2])));

        JsonNode claims = claims(token);
        long now = Instant.now().getEpochSecond();
        assertEquals(issuer.issuer(), claims.get("iss").asText());
        assertEquals(issuer.service(), claims.get("aud").asText());
        assertTrue(Math.abs(claims.get("iat").asLong() - now) < 60);
        assertTrue(claims.get("nbf").asLong() <= now);
        assertEquals(claims.get("iat").asLong() + 300, claims.get("exp").asLong());
        assertFalse(claims.get("jti").asText().isEmpty());
        assertNotEquals(claims.get("jti").asText(), claims(token(null, "repository:library/small:pull")).get("jti").asText());
    }

    @Test
    void realmAndServiceAreConsistent() {
        assertEquals("http://127.0.0.1:" + issuer.port() + "/token", issuer.realm());
        assertEquals(TokenIssuer.DEFAULT_SERVICE, issuer.service());
        assertTrue(Files.isRegularFile(issuer.certificatePem()));
    }

    private String token(String credentials, String... scopes) throws Exception {
        HttpResponse<String> r = get(credentials == null ? null : basic(credentials), scopes);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("token").asText();
    }

    private HttpResponse<String> get(String authorization, String... scopes) throws Exception {
        StringBuilder url = new StringBuilder(issuer.realm()).append("?service=")
                .append(URLEncoder.encode(issuer.service(), StandardCharsets.UTF_8));
        for (String s : scopes) {
            url.append("&scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.toString())).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode claims(String token) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }
}
