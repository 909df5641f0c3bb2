package io.binaryrepo.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.config.RepositoryConfig.Credentials;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP client of one repository's upstream: pooled HttpClient 5 clients with the repository's
 * timeouts, registry token authentication ({@link TokenAuthenticator}) and a redirect policy that never
 * carries {@code Authorization} to another host (Docker Hub redirects blob downloads to a CDN, and
 * S3-style CDNs reject a request with two auth mechanisms). Thread-safe.
 *
 * <p>Where it connects (issue 17, {@link DestinationPolicy}): the upstream's own origin, hosts in the
 * repository's {@code allowedHosts}, and otherwise only hosts whose addresses are public, checked on the
 * addresses actually connected to; redirects never go from https to plain http. A refused target is an
 * {@link UpstreamException} of kind {@link UpstreamException.Kind#REFUSED} (clients see 502).
 *
 * <p>Credentials (issue 17): a {@code WWW-Authenticate} challenge is learned only from the upstream's own
 * origin (a 401 from a host a redirect led to is returned as is), and a bearer realm must be https unless
 * the upstream is plain http.
 *
 * <p>Connections: one pool per {@link Traffic} (sizes in {@link ConnectionPools}); the overloads without
 * a {@code Traffic} use {@link Traffic#METADATA}; tokens are always fetched as metadata.
 */
public final class UpstreamClient implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_TOKEN_RESPONSE = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String name;
    private final DestinationPolicy policy;
    private final ConnectionPools pools;
    private final TokenAuthenticator auth;
    private volatile UpstreamEvents events = UpstreamEvents.NONE; // metrics hook (issue 11)

    /** A response, the request it answers (to abort it) and the URL that gave it (after redirects). */
    private record Fetched(ClassicHttpResponse response, HttpUriRequestBase request, URI from) {
        UpstreamResponse upstreamResponse() {
            return new UpstreamResponse(response, request);
        }
    }

    public UpstreamClient(RepositoryConfig config, Clock clock) {
        this(config, clock, ConnectionPools.Sizes.DEFAULT, null);
    }

    /**
     * @param sizes the connection pool sizes
     * @param tls the TLS context to trust (tests with a self-signed upstream), or null for the JVM default
     */
    UpstreamClient(RepositoryConfig config, Clock clock, ConnectionPools.Sizes sizes, SSLContext tls) {
        this.base = config.url();
        this.name = config.name();
        this.policy = new DestinationPolicy(config.url(), config.allowedHosts());
        this.pools = new ConnectionPools(config, policy, sizes, tls);
        this.auth = new TokenAuthenticator(base, config.credentials().orElse(null), clock,
                new TokenCache(clock, TokenCache.DEFAULT_MAX_ENTRIES, TokenCache.DEFAULT_MAX_CHARS), this::fetchToken);
    }

    /** Where this client reports its exchanges (metrics, issue 11); set once at start-up. */
    public void events(UpstreamEvents events) {
        this.events = Objects.requireNonNull(events);
    }

    public URI base() {
        return base;
    }

    /** {@link #send(Traffic, String, String, Map, String)} as {@link Traffic#METADATA}. */
    public UpstreamResponse send(String method, String path, Map<String, String> headers, String scope)
            throws UpstreamException {
        return send(Traffic.METADATA, method, path, headers, scope);
    }

    /**
     * Sends {@code method} (GET or HEAD) for {@code path} (relative to the upstream URL, starting with
     * {@code /}) on the {@code traffic} pool, authenticating for {@code scope} and following redirects
     * the {@link DestinationPolicy} allows. Any status is returned; the caller decides what it means and
     * closes the response (which returns the connection to its pool).
     *
     * @throws UpstreamException when no response could be had (unreachable, timeout, malformed challenge,
     *     a refused redirect target)
     */
    public UpstreamResponse send(Traffic traffic, String method, String path, Map<String, String> headers,
            String scope) throws UpstreamException {
        return sendAuthenticated(traffic, method, URI.create(base + path), headers, scope);
    }

    /** {@link #send(Traffic, String, URI, Map, String)} as {@link Traffic#METADATA}. */
    public UpstreamResponse send(String method, URI uri, Map<String, String> headers, String scope)
            throws UpstreamException {
        return send(Traffic.METADATA, method, uri, headers, scope);
    }

    /**
     * Sends {@code method} (GET or HEAD) to an absolute http(s) {@code uri}, for documents that name
     * content by full URL (a Helm index pointing at a release download site). Credentials and tokens go
     * only to the upstream's own origin: another origin gets the request without {@code Authorization},
     * and its 401 is returned as is. Another origin must be public or in {@code allowedHosts}, and an https
     * upstream's URLs must be https. Any status is returned; the caller closes the response.
     *
     * @throws UpstreamException when {@code uri} is not http(s) (INVALID), is refused (REFUSED), or no
     *     response could be had
     */
    public UpstreamResponse send(Traffic traffic, String method, URI uri, Map<String, String> headers, String scope)
            throws UpstreamException {
        policy.checkAbsolute(uri);
        if (sameOrigin(base, uri)) {
            return sendAuthenticated(traffic, method, uri, headers, scope);
        }
        try {
            Fetched f = execute(traffic, method, uri, headers, null);
            noteRateLimit(f.response());
            return f.upstreamResponse();
        } catch (UpstreamException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e, uri);
        }
    }

    private UpstreamResponse sendAuthenticated(Traffic traffic, String method, URI uri, Map<String, String> headers,
            String scope) throws UpstreamException {
        try {
            Optional<String> authorization = auth.authorization(scope);
            Fetched f = execute(traffic, method, uri, headers, authorization.orElse(null));
            ClassicHttpResponse r = f.response();
            if (r.getCode() == 401 && !sameOrigin(base, f.from())) {
                // A host a redirect led to must not choose where the configured password goes (issue 17).
                LOG.debug("repository {}: ignoring the authentication challenge of {}, not the upstream's origin",
                        name, DestinationPolicy.origin(f.from()));
            } else if (r.getCode() == 401) {
                String challenge = header(r, "WWW-Authenticate");
                // Refresh once, never in a loop: a second 401 is the answer.
                Optional<String> retry = auth.onUnauthorized(challenge, scope);
                if (retry.isPresent()) {
                    f.upstreamResponse().close();
                    f = execute(traffic, method, uri, headers, retry.get());
                }
            }
            noteRateLimit(f.response());
            return f.upstreamResponse();
        } catch (UpstreamException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e, uri);
        }
    }

    /**
     * Sends a POST of {@code body} to {@code path} (relative to the upstream URL, starting with {@code /}),
     * authenticated as GETs are (the repository's upstream credentials, never a client's), for requests
     * that are forwarded uncached (npm audit). Neither retried nor redirected: a request body is never sent
     * twice or to another location, so a 3xx is returned as it is. Any status is returned; the caller closes
     * the response.
     *
     * @param contentType the body's content type
     * @throws UpstreamException when no response could be had
     */
    public UpstreamResponse post(String path, Map<String, String> headers, byte[] body, String contentType)
            throws UpstreamException {
        URI uri = URI.create(base + path);
        try {
            org.apache.hc.client5.http.classic.methods.HttpPost req = new org.apache.hc.client5.http.classic.methods.HttpPost(uri);
            headers.forEach(req::addHeader);
            Optional<String> authorization = auth.authorization(null);
            authorization.ifPresent(a -> req.setHeader("Authorization", a));
            req.setEntity(new org.apache.hc.core5.http.io.entity.ByteArrayEntity(body,
                    org.apache.hc.core5.http.ContentType.parse(contentType)));
            ClassicHttpResponse r = pools.client(Traffic.METADATA).executeOpen(RoutingSupport.determineHost(req), req, null);
            noteRateLimit(r);
            return new UpstreamResponse(r, req);
        } catch (HttpException e) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "bad upstream request: " + e.getMessage(), e);
        } catch (UpstreamException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e, uri);
        }
    }

    /** Sends the request, following allowed redirects; {@code Authorization} goes only to {@code uri}'s origin. */
    private Fetched execute(Traffic traffic, String method, URI uri, Map<String, String> headers,
            String authorization) throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            HttpUriRequestBase req = new HttpUriRequestBase(method, current);
            headers.forEach(req::addHeader);
            if (authorization != null && sameOrigin(uri, current)) {
                req.setHeader("Authorization", authorization);
            }
            ClassicHttpResponse r;
            long started = System.nanoTime();
            try {
                r = pools.client(traffic).executeOpen(RoutingSupport.determineHost(req), req, null);
            } catch (HttpException e) {
                throw new UpstreamException(UpstreamException.Kind.INVALID, "bad upstream request: " + e.getMessage(), e);
            } catch (IOException e) {
                UpstreamMeter.failed(events, e, started, method, current);
                throw e;
            }
            UpstreamMeter.answered(events, r, started, method, current);
            int code = r.getCode();
            String location = header(r, "Location");
            if (!isRedirect(code) || location == null) {
                return new Fetched(r, req, current);
            }
            new UpstreamResponse(r, req).close();
            if (hop >= MAX_REDIRECTS) {
                throw new UpstreamException(UpstreamException.Kind.INVALID,
                        "upstream redirected more than " + MAX_REDIRECTS + " times", null);
            }
            URI next;
            try {
                next = current.resolve(location.trim());
            } catch (IllegalArgumentException e) {
                throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream sent a malformed redirect", e);
            }
            policy.checkRedirect(current, next);
            current = next;
        }
    }

    private TokenAuthenticator.Token fetchToken(String realm, String service, String scope, Credentials credentials)
            throws IOException {
        StringBuilder url = new StringBuilder(realm);
        char sep = realm.contains("?") ? '&' : '?';
        if (service != null) {
            url.append(sep).append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
            sep = '&';
        }
        if (scope != null) {
            url.append(sep).append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        URI uri;
        try {
            uri = URI.create(url.toString());
        } catch (IllegalArgumentException e) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream named a malformed token realm", e);
        }
        String basic = null;
        if (credentials != null) {
            basic = "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (credentials.username() + ":" + credentials.password()).getBytes(StandardCharsets.UTF_8));
        }
        try (UpstreamResponse r = execute(Traffic.METADATA, "GET", uri, Map.of(), basic).upstreamResponse()) {
            if (r.status() != 200) {
                String what = credentials == null ? "an anonymous token" : "a token for the configured user";
                throw new UpstreamException(r.status() == 429 ? 429 : (r.status() == 401 || r.status() == 403 ? r.status() : 502),
                        r.header("Retry-After"),
                        "upstream token service " + uri.getHost() + " refused " + what + " (HTTP " + r.status() + ")");
            }
            JsonNode json = JSON.readTree(r.readBody(MAX_TOKEN_RESPONSE));
            String token = json.hasNonNull("token") ? json.get("token").asText()
                    : json.hasNonNull("access_token") ? json.get("access_token").asText() : null;
            if (token == null || token.isEmpty()) {
                throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream token service sent no token", null);
            }
            Duration life = json.hasNonNull("expires_in") && json.get("expires_in").asLong() > 0
                    ? Duration.ofSeconds(json.get("expires_in").asLong()) : null;
            return new TokenAuthenticator.Token(token, life);
        } catch (UpstreamException e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream token service sent malformed JSON", null);
        } catch (IOException e) {
            throw translate(e, uri);
        }
    }

    private void noteRateLimit(ClassicHttpResponse r) {
        // Docker Hub: "ratelimit-remaining: 76;w=21600" (https://docs.docker.com/docker-hub/usage/pulls/)
        String remaining = header(r, "ratelimit-remaining");
        if (remaining == null) {
            return;
        }
        try {
            int semi = remaining.indexOf(';');
            long left = Long.parseLong((semi < 0 ? remaining : remaining.substring(0, semi)).trim());
            events.rateLimit(left, leadingNumber(header(r, "ratelimit-limit")));
            if (left <= 10) {
                LOG.warn("repository {}: upstream pull rate limit nearly used up: {} pulls left ({})", name, left,
                        header(r, "ratelimit-limit"));
            }
        } catch (NumberFormatException ignored) {
            // not Docker Hub's format; nothing to report
        }
    }

    /** The number before any {@code ;} parameters ("100;w=21600" is 100); -1 when absent or not a number. */
    private static long leadingNumber(String v) {
        if (v == null) {
            return -1;
        }
        int semi = v.indexOf(';');
        try {
            return Long.parseLong((semi < 0 ? v : v.substring(0, semi)).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static UpstreamException translate(IOException e, URI uri) {
        if (e instanceof RefusedAddressException) {
            return new UpstreamException(UpstreamException.Kind.REFUSED, e.getMessage(), e);
        }
        String where = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
        if (e instanceof SocketTimeoutException || e instanceof ConnectTimeoutException
                || (e instanceof InterruptedIOException && !(e instanceof java.nio.channels.ClosedByInterruptException))) {
            return new UpstreamException(UpstreamException.Kind.TIMEOUT, "upstream " + where + " timed out", e);
        }
        return new UpstreamException(UpstreamException.Kind.UNREACHABLE,
                "upstream " + where + " unreachable: " + e.getClass().getSimpleName(), e);
    }

    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return DestinationPolicy.port(u);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static boolean isRedirect(int code) {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }

    private static String header(ClassicHttpResponse r, String name) {
        var h = r.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    @Override
    public void close() throws IOException {
        pools.close();
    }
}
