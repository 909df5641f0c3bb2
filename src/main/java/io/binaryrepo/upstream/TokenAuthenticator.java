package io.binaryrepo.upstream;

import io.binaryrepo.cache.Coalescer;
import io.binaryrepo.config.RepositoryConfig.Credentials;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Decides the {@code Authorization} header for requests to one upstream registry, following its
 * {@code WWW-Authenticate} challenges: bearer tokens (the Docker registry token protocol) fetched
 * anonymously or with the configured credentials and cached per scope until they expire, or HTTP
 * Basic. Thread-safe. Tokens and credentials are never logged.
 *
 * <p>Memory: tokens live in a {@link TokenCache} bounded to {@link TokenCache#DEFAULT_MAX_ENTRIES}
 * entries and {@link TokenCache#DEFAULT_MAX_CHARS} characters (LRU), because scopes name images that
 * clients choose (issue 17). A bearer realm is accepted only as an absolute URL, and only over https
 * when the upstream itself is https: the configured password is sent to the realm.
 */
final class TokenAuthenticator {
    /** Renew a little before the token expires so a request does not race its expiry. */
    private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(10);
    /** Docker's token spec: assume 60 s when the server does not say. */
    private static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

    /** Fetches a token from a realm; implemented by {@link UpstreamClient}. */
    interface TokenFetcher {
        /** @return the token and its lifetime (null lifetime: unspecified) */
        Token fetch(String realm, String service, String scope, Credentials credentials) throws IOException;
    }

    record Token(String value, Duration lifetime) {
        @Override
        public String toString() {
            return "Token[***]";
        }
    }

    private record BearerRealm(String realm, String service) {
    }

    private final Credentials credentials;
    private final Clock clock;
    private final TokenFetcher fetcher;
    private final URI upstream;
    private final TokenCache tokens;
    /** Concurrent requests that need the same new token wait for one token request. */
    private final Coalescer<String> fetches = new Coalescer<>();
    private volatile BearerRealm bearer;
    private volatile boolean basic;

    /**
     * @param upstream the upstream's URL: an https upstream accepts only https realms
     * @param tokens where tokens are cached (its bounds are this authenticator's)
     */
    TokenAuthenticator(URI upstream, Credentials credentials, Clock clock, TokenCache tokens, TokenFetcher fetcher) {
        this.upstream = upstream;
        this.credentials = credentials;
        this.clock = clock;
        this.tokens = tokens;
        this.fetcher = fetcher;
    }

    /**
     * The {@code Authorization} value to send for {@code scope} before any challenge: a cached token,
     * a token fetched now from the realm upstream named earlier (saving a 401 round trip per image),
     * Basic credentials, or nothing.
     */
    Optional<String> authorization(String scope) throws IOException {
        BearerRealm b = bearer;
        if (b != null) {
            String cached = tokens.get(key(b, scope));
            if (cached != null) {
                return Optional.of("Bearer " + cached);
            }
            return Optional.of("Bearer " + fetch(b, scope));
        }
        if (basic && credentials != null) {
            return Optional.of(basicValue());
        }
        return Optional.empty();
    }

    /**
     * Handles a 401 from the upstream's own origin (the caller never passes another origin's challenge):
     * learns the challenge and obtains fresh authorization.
     *
     * @throws UpstreamException of kind {@link UpstreamException.Kind#REFUSED} for a plain-http realm of an
     *     https upstream, {@link UpstreamException.Kind#INVALID} for a malformed challenge or realm
     * @return the {@code Authorization} value for one retry, or empty when retrying cannot help
     */
    Optional<String> onUnauthorized(String wwwAuthenticate, String scope) throws IOException {
        if (wwwAuthenticate == null) {
            return Optional.empty();
        }
        List<Challenge> challenges;
        try {
            challenges = Challenge.parseAll(wwwAuthenticate);
        } catch (IllegalArgumentException e) {
            throw new UpstreamException(UpstreamException.Kind.INVALID,
                    "upstream sent a malformed WWW-Authenticate header: " + e.getMessage(), null);
        }
        for (Challenge c : challenges) {
            if (c.scheme().equals("bearer") && c.param("realm") != null) {
                BearerRealm b = new BearerRealm(checkRealm(c.param("realm")), c.param("service"));
                bearer = b;
                // The challenge's scope is what the registry wants for this request; prefer it.
                String s = c.param("scope") != null ? c.param("scope") : scope;
                tokens.remove(key(b, s));
                return Optional.of("Bearer " + fetch(b, s));
            }
        }
        for (Challenge c : challenges) {
            if (c.scheme().equals("basic") && credentials != null) {
                basic = true;
                return Optional.of(basicValue());
            }
        }
        return Optional.empty();
    }

    private String fetch(BearerRealm b, String scope) throws IOException {
        return fetches.get(key(b, scope), () -> fetchNow(b, scope));
    }

    private String fetchNow(BearerRealm b, String scope) throws IOException {
        Token t = fetcher.fetch(b.realm(), b.service(), scope, credentials);
        Duration life = t.lifetime() == null ? DEFAULT_LIFETIME : t.lifetime();
        Instant expires = clock.instant().plus(life).minus(life.compareTo(EXPIRY_MARGIN.multipliedBy(2)) > 0
                ? EXPIRY_MARGIN : Duration.ZERO);
        tokens.put(key(b, scope), t.value(), expires);
        return t.value();
    }

    private String checkRealm(String realm) throws UpstreamException {
        URI uri;
        try {
            uri = new URI(realm);
        } catch (java.net.URISyntaxException e) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream named a malformed token realm", null);
        }
        String scheme = DestinationPolicy.scheme(uri);
        if (!uri.isAbsolute() || uri.getHost() == null || (!scheme.equals("http") && !scheme.equals("https"))) {
            throw new UpstreamException(UpstreamException.Kind.INVALID,
                    "upstream named a token realm that is not an absolute http(s) URL", null);
        }
        if (scheme.equals("http") && DestinationPolicy.scheme(upstream).equals("https")) {
            throw new UpstreamException(UpstreamException.Kind.REFUSED, "the https upstream "
                    + DestinationPolicy.origin(upstream) + " named the plain-http token realm "
                    + DestinationPolicy.origin(uri) + "; binaryrepo sends credentials and asks for tokens over https only",
                    null);
        }
        return realm;
    }

    private String basicValue() {
        String raw = credentials.username() + ":" + credentials.password();
        return "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static String key(BearerRealm b, String scope) {
        return b.realm() + "|" + b.service() + "|" + scope;
    }

    /** Tokens cached now (for tests and metrics). */
    int cachedTokens() {
        return tokens.size();
    }
}
