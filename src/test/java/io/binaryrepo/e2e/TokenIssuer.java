package io.binaryrepo.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Docker-Hub-like token server (the "realm" of the Docker registry token auth flow) on
 * {@code http://127.0.0.1:<free port>/token}.
 *
 * <p>{@code GET /token?service=S&scope=repository:<name>:<actions>} (any number of
 * {@code scope} parameters, each possibly several space-separated scopes) answers
 * {@code {"token","access_token","expires_in","issued_at"}} with an RS256 JWT whose claims are
 * those the CNCF distribution registry 2.8 verifies: {@code iss} = {@link #issuer()},
 * {@code aud} = {@link #service()} (always, whatever {@code service} the client sent), {@code sub},
 * {@code exp}, {@code nbf}, {@code iat}, {@code jti} and {@code access}. The JWT header carries
 * {@code x5c} with the self-signed certificate in {@link #certificatePem()}, which the registry
 * trusts as its {@code rootcertbundle}. Key and certificate are made with {@code openssl} at
 * start.
 *
 * <p>Grants: anonymous requests get {@code pull} on every repository not under
 * {@code private/}; requests with HTTP Basic credentials equal to the constructor's get
 * {@code pull} and {@code push} on every repository; wrong credentials (or a non-Basic
 * {@code Authorization}) get 401 and no token. Other resource types get nothing. Every
 * request, including refused ones, is recorded ({@link #requests()}).
 */
public final class TokenIssuer implements AutoCloseable {

    /** Default value of {@link #service()}; the registry must be configured with the same. */
    public static final String DEFAULT_SERVICE = "binaryrepo-e2e-registry";
    /** Value of {@link #issuer()} (the {@code iss} claim). */
    public static final String ISSUER = "binaryrepo-e2e-token-issuer";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One resource grant in the {@code access} claim. */
    public record Access(String type, String name, List<String> actions) {
        public Access {
            actions = List.copyOf(actions);
        }
    }

    /**
     * One request seen at {@code /token}.
     *
     * @param service the {@code service} parameter, or null
     * @param scopes the requested scopes, one entry per scope (space-separated ones split)
     * @param authenticated whether the request carried the right Basic credentials
     * @param account the {@code account} parameter, or null
     * @param status the HTTP status answered (200, 401, 405)
     * @param granted what the issued token grants (empty when refused or nothing granted)
     */
    public record TokenRequest(String service, List<String> scopes, boolean authenticated, String account,
                               int status, List<Access> granted) {
        public TokenRequest {
            scopes = List.copyOf(scopes);
            granted = List.copyOf(granted);
        }
    }

    private final String username;
    private final String password;
    private final String service;
    private final Path keyDir;
    private final PrivateKey privateKey;
    private final String certificateDerBase64;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger requestCount = new AtomicInteger();
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private volatile Duration tokenLifetime = Duration.ofSeconds(300);

    /** Starts an issuer for {@link #DEFAULT_SERVICE} accepting the given Basic credentials. */
    public TokenIssuer(String username, String password) {
        this(username, password, DEFAULT_SERVICE);
    }

    /** Starts an issuer for {@code service} accepting the given Basic credentials. */
    public TokenIssuer(String username, String password, String service) {
        this.username = username;
        this.password = password;
        this.service = service;
        this.keyDir = TempDirs.create("token-issuer");
        boolean started = false;
        try {
            Path key = keyDir.resolve("key.pem");
            Path cert = keyDir.resolve("cert.pem");
            Duration t = Duration.ofSeconds(60);
            ExternalProcess.runChecked(t, Map.of(), "openssl", "genpkey", "-algorithm", "RSA",
                    "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
            ExternalProcess.runChecked(t, Map.of(), "openssl", "req", "-x509", "-new", "-key", key.toString(),
                    "-subj", "/CN=" + ISSUER, "-days", "7", "-out", cert.toString());
            this.privateKey = KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(pemBody(key, "PRIVATE KEY")));
            this.certificateDerBase64 = Base64.getEncoder().encodeToString(pemBody(cert, "CERTIFICATE"));
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            this.executor = Executors.newFixedThreadPool(4, r -> {
                Thread th = new Thread(r, "token-issuer");
                th.setDaemon(true);
                return th;
            });
            server.setExecutor(executor);
            server.createContext("/token", this::handle);
            server.start();
            started = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            if (!started) {
                TempDirs.deleteRecursively(keyDir);
            }
        }
    }

    /** Starts an issuer with freshly generated random credentials. */
    public static TokenIssuer withRandomCredentials() {
        return new TokenIssuer("user-" + randomHex(4), randomHex(16));
    }

    /** {@code http://127.0.0.1:PORT/token}, for the registry's {@code auth.token.realm}. */
    public String realm() {
        return "http://127.0.0.1:" + port() + "/token";
    }

    /** The TCP port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The service name (registry's {@code auth.token.service}, the tokens' {@code aud}). */
    public String service() {
        return service;
    }

    /** The issuer name (registry's {@code auth.token.issuer}, the tokens' {@code iss}). */
    public String issuer() {
        return ISSUER;
    }

    /** PEM file of the self-signed signing certificate (registry's {@code auth.token.rootcertbundle}). */
    public Path certificatePem() {
        return keyDir.resolve("cert.pem");
    }

    /** The user that gets pull and push on everything. */
    public String username() {
        return username;
    }

    /** That user's password. */
    public String password() {
        return password;
    }

    /** {@code username:password}, as skopeo/podman {@code --creds} take it. */
    public String credentials() {
        return username + ":" + password;
    }

    /** Sets {@code exp - iat} and {@code expires_in} of tokens issued from now on (default 300 s). */
    public void setTokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    /** Number of requests to {@code /token} so far, refused ones included. */
    public int requestCount() {
        return requestCount.get();
    }

    /** Snapshot of all requests so far, oldest first. */
    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    /** Forgets recorded requests and resets {@link #requestCount()} to 0. */
    public void clearRequests() {
        requests.clear();
        requestCount.set(0);
    }

    /**
     * Signs a token with the given subject and grants, valid from now for {@code lifetime}
     * (use a negative lifetime for an already expired one; the registry allows 60 s leeway).
     */
    public String mintToken(String subject, List<Access> access, Duration lifetime) {
        return mintToken(subject, access, lifetime, service);
    }

    /** Like {@link #mintToken(String, List, Duration)} with another {@code aud} claim. */
    public String mintToken(String subject, List<Access> access, Duration lifetime, String audience) {
        long now = Instant.now().getEpochSecond();
        ObjectNode header = JSON.createObjectNode();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        header.putArray("x5c").add(certificateDerBase64);
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("aud", audience);
        claims.put("exp", now + lifetime.toSeconds());
        claims.put("nbf", now);
        claims.put("iat", now);
        claims.put("jti", randomHex(16));
        ArrayNode accessNode = claims.putArray("access");
        for (Access a : access) {
            ObjectNode n = accessNode.addObject();
            n.put("type", a.type());
            n.put("name", a.name());
            ArrayNode actions = n.putArray("actions");
            a.actions().forEach(actions::add);
        }
        try {
            String signingInput = B64URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + B64URL.encodeToString(JSON.writeValueAsBytes(claims));
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(privateKey);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64URL.encodeToString(signature.sign());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the HTTP server and deletes the key material. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        TempDirs.deleteRecursively(keyDir);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requestCount.incrementAndGet();
            Map<String, List<String>> query = parseQuery(exchange.getRequestURI().getRawQuery());
            String requestedService = first(query.get("service"));
            String account = first(query.get("account"));
            List<String> scopes = new ArrayList<>();
            for (String s : query.getOrDefault("scope", List.of())) {
                for (String one : s.trim().split(" +")) {
                    if (!one.isEmpty()) {
                        scopes.add(one);
                    }
                }
            }
            if (!"GET".equals(exchange.getRequestMethod())) {
                requests.add(new TokenRequest(requestedService, scopes, false, account, 405, List.of()));
                send(exchange, 405, error("UNSUPPORTED", "only GET is supported"));
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            boolean authenticated = false;
            if (authorization != null) {
                authenticated = basicMatches(authorization);
                if (!authenticated) {
                    requests.add(new TokenRequest(requestedService, scopes, false, account, 401, List.of()));
                    exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"" + realm() + "\"");
                    send(exchange, 401, error("UNAUTHORIZED", "invalid username or password"));
                    return;
                }
            }
            List<Access> granted = new ArrayList<>();
            for (String scope : scopes) {
                Access a = grant(scope, authenticated);
                if (a != null) {
                    granted.add(a);
                }
            }
            Duration lifetime = tokenLifetime;
            String token = mintToken(authenticated ? username : "", granted, lifetime);
            ObjectNode body = JSON.createObjectNode();
            body.put("token", token);
            body.put("access_token", token);
            body.put("expires_in", lifetime.toSeconds());
            body.put("issued_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
            requests.add(new TokenRequest(requestedService, scopes, authenticated, account, 200, granted));
            send(exchange, 200, JSON.writeValueAsBytes(body));
        } catch (RuntimeException e) {
            // make harness bugs visible in the client's error instead of a dropped connection
            send(exchange, 500, error("INTERNAL", String.valueOf(e)));
        }
    }

    private Access grant(String scope, boolean authenticated) {
        int firstColon = scope.indexOf(':');
        int lastColon = scope.lastIndexOf(':');
        if (firstColon < 0 || lastColon == firstColon) {
            return null;
        }
        String type = scope.substring(0, firstColon);
        String name = scope.substring(firstColon + 1, lastColon);
        if (!type.equals("repository")) {
            return null;
        }
        Set<String> allowed = authenticated ? Set.of("pull", "push")
                : name.startsWith("private/") ? Set.of() : Set.of("pull");
        Set<String> actions = new LinkedHashSet<>();
        for (String action : scope.substring(lastColon + 1).split(",")) {
            if (action.equals("*")) {
                actions.addAll(authenticated ? List.of("pull", "push") : allowed);
            } else if (allowed.contains(action)) {
                actions.add(action);
            }
        }
        return actions.isEmpty() ? null : new Access(type, name, List.copyOf(actions));
    }

    private boolean basicMatches(String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] expected = (username + ":" + password).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(decoded, expected);
    }

    private static byte[] error(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e = body.putArray("errors").addObject();
        e.put("code", code);
        e.put("message", message);
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static Map<String, List<String>> parseQuery(String rawQuery) {
        Map<String, List<String>> result = new java.util.LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return result;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            result.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return result;
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static byte[] pemBody(Path pem, String label) throws IOException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalStateException(pem + " has no " + label + " block:\n" + text);
        }
        return Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e));
    }

    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
