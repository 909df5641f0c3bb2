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
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.routing.RoutingSupport;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.apache.hc.client5.http.impl.DefaultHttpRequestRetryStrategy;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP client of one repository's upstream: a pooled HttpClient 5 with the repository's timeouts,
 * registry token authentication ({@link TokenAuthenticator}) and a redirect policy that never carries
 * {@code Authorization} to another host (Docker Hub redirects blob downloads to a CDN, and S3-style
 * CDNs reject a request with two auth mechanisms). Thread-safe.
 */
public final class UpstreamClient implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamClient.class);
    private static final int MAX_REDIRECTS = 5;
    private static final int MAX_TOKEN_RESPONSE = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String name;
    private final CloseableHttpClient http;
    private final TokenAuthenticator auth;
    private volatile UpstreamEvents events = UpstreamEvents.NONE; // metrics hook (issue 11)

    public UpstreamClient(RepositoryConfig config, Clock clock) {
        this.base = config.url();
        this.name = config.name();
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(timeout(config.connectTimeout()))
                        .setSocketTimeout(timeout(config.readTimeout()))
                        // A pooled connection the upstream closed while idle would fail the next
                        // request (NoHttpResponseException); check connections idle for over a second.
                        .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                        .build())
                .setMaxConnTotal(200)
                .setMaxConnPerRoute(100)
                .build();
        this.http = HttpClients.custom()
                .setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(timeout(config.readTimeout()))
                        .setConnectionRequestTimeout(timeout(config.connectTimeout()))
                        .setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling()
                .disableCookieManagement()
                .disableContentCompression()
                // One retry of an idempotent request whose pooled connection turned out dead; never a
                // retry on a status (429/503 go back to the caller, which serves stale or passes them on).
                .setRetryStrategy(new DefaultHttpRequestRetryStrategy(1, TimeValue.ofMilliseconds(50)) {
                    @Override
                    public boolean retryRequest(HttpResponse response, int execCount, HttpContext context) {
                        return false;
                    }
                })
                .setUserAgent("binaryrepo")
                .build();
        this.auth = new TokenAuthenticator(config.credentials().orElse(null), clock, this::fetchToken);
    }

    /** Where this client reports its exchanges (metrics, issue 11); set once at start-up. */
    public void events(UpstreamEvents events) {
        this.events = Objects.requireNonNull(events);
    }

    public URI base() {
        return base;
    }

    /**
     * Sends {@code method} (GET or HEAD) for {@code path} (relative to the upstream URL, starting with
     * {@code /}), authenticating for {@code scope} and following redirects. Any status is returned; the
     * caller decides what it means and closes the response.
     *
     * @throws UpstreamException when no response could be had (unreachable, timeout, malformed challenge)
     */
    public UpstreamResponse send(String method, String path, Map<String, String> headers, String scope)
            throws UpstreamException {
        return sendAuthenticated(method, URI.create(base + path), headers, scope);
    }

    /**
     * Sends {@code method} (GET or HEAD) to an absolute http(s) {@code uri}, for documents that name
     * content by full URL (a Helm index pointing at a release download site). Credentials and tokens go
     * only to the upstream's own origin: another origin gets the request without {@code Authorization},
     * and its 401 is returned as is. Any status is returned; the caller closes the response.
     *
     * @throws UpstreamException when {@code uri} is not http(s), or no response could be had
     */
    public UpstreamResponse send(String method, URI uri, Map<String, String> headers, String scope)
            throws UpstreamException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.getHost() == null || (!scheme.equals("http") && !scheme.equals("https"))) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "not an absolute http(s) URL", null);
        }
        if (sameOrigin(base, uri)) {
            return sendAuthenticated(method, uri, headers, scope);
        }
        try {
            ClassicHttpResponse r = execute(method, uri, headers, null);
            noteRateLimit(r);
            return new UpstreamResponse(r);
        } catch (UpstreamException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e, uri);
        }
    }

    private UpstreamResponse sendAuthenticated(String method, URI uri, Map<String, String> headers, String scope)
            throws UpstreamException {
        try {
            Optional<String> authorization = auth.authorization(scope);
            ClassicHttpResponse r = execute(method, uri, headers, authorization.orElse(null));
            if (r.getCode() == 401) {
                String challenge = header(r, "WWW-Authenticate");
                // Refresh once, never in a loop: a second 401 is the answer.
                Optional<String> retry = auth.onUnauthorized(challenge, scope);
                if (retry.isPresent()) {
                    r.close();
                    r = execute(method, uri, headers, retry.get());
                }
            }
            noteRateLimit(r);
            return new UpstreamResponse(r);
        } catch (UpstreamException e) {
            throw e;
        } catch (IOException e) {
            throw translate(e, uri);
        }
    }

    /** Sends the request, following redirects; {@code Authorization} goes only to {@code uri}'s origin. */
    private ClassicHttpResponse execute(String method, URI uri, Map<String, String> headers, String authorization)
            throws IOException {
        URI current = uri;
        for (int hop = 0; ; hop++) {
            BasicClassicHttpRequest req = new BasicClassicHttpRequest(method, current);
            headers.forEach(req::addHeader);
            if (authorization != null && sameOrigin(uri, current)) {
                req.setHeader("Authorization", authorization);
            }
            ClassicHttpResponse r;
            long started = System.nanoTime();
            try {
                r = http.executeOpen(RoutingSupport.determineHost(req), req, null);
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
                return r;
            }
            r.close();
            if (hop >= MAX_REDIRECTS) {
                throw new UpstreamException(UpstreamException.Kind.INVALID,
                        "upstream redirected more than " + MAX_REDIRECTS + " times", null);
            }
            try {
                current = current.resolve(location.trim());
            } catch (IllegalArgumentException e) {
                throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream sent a malformed redirect", e);
            }
            String scheme = current.getScheme() == null ? "" : current.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new UpstreamException(UpstreamException.Kind.INVALID,
                        "upstream redirected to a non-HTTP location", null);
            }
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
        try (UpstreamResponse r = new UpstreamResponse(execute("GET", uri, Map.of(), basic))) {
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
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
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

    private static Timeout timeout(Duration d) {
        return Timeout.ofMilliseconds(Math.max(1, d.toMillis()));
    }

    @Override
    public void close() throws IOException {
        http.close();
    }
}
