package io.binaryrepo.web;

import io.binaryrepo.config.Access;
import io.binaryrepo.config.ConfigException;
import io.binaryrepo.config.Durations;
import io.binaryrepo.config.Settings;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Repositories;
import io.binaryrepo.repo.Repositories.Repository;
import io.binaryrepo.web.LoginCache.Login;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may read a repository (issue 12). Authentication is the container's: the Basic credentials of a
 * request are handed to {@link HttpServletRequest#login} (so every realm works: tomcat-users.xml, LDAP,
 * Active Directory, behind Tomcat's {@code LockOutRealm}) and the roles are asked with
 * {@link HttpServletRequest#isUserInRole}; binaryrepo never reads a password store itself.
 * {@code login} rather than {@code authenticate(response)}: the latter makes the container write its own
 * HTML 401 page, where a Docker client needs the OCI {@code UNAUTHORIZED} body.
 *
 * <p>A successful login is kept for a short time in a {@link LoginCache} (settings {@value #CACHE_TTL},
 * default 60 s, and {@value #CACHE_SIZE}, default 10000 logins), so a pull asks the realm once.
 * The user name is put in request attribute {@value #USER_ATTRIBUTE} for the access log
 * ({@code %{binaryrepo.user}r}; {@code %u} shows it only where the realm was asked).
 *
 * <p>Tomcat's {@code preemptiveAuthentication} must stay off (the default): with it the container
 * authenticates first and {@code login} then refuses a second login.
 *
 * <p>The check runs before the repository's handler, so nothing cached or fetched with the repository's
 * upstream credentials reaches a client without access. Thread-safe.
 */
final class AccessControl {
    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);

    /** Setting: how long a successful login is trusted without asking the realm (0 disables the cache). */
    static final String CACHE_TTL = "binaryrepo.auth.cacheTtl";
    /** Setting: at most this many logins are cached. */
    static final String CACHE_SIZE = "binaryrepo.auth.cacheSize";
    /** Request attribute with the authenticated user name. */
    static final String USER_ATTRIBUTE = "binaryrepo.user";
    /** The challenge every format answers (Docker clients, helm, go, npm, mvn and pip all speak Basic). */
    static final String CHALLENGE = "Basic realm=\"binaryrepo\"";
    /** Longer Authorization values are refused unread: no realm has 8 KiB user names. */
    private static final int MAX_CREDENTIALS = 8192;

    private final LoginCache cache;
    /** Every role a repository names, plus the read and admin roles: what a login is asked about. */
    private final Set<String> roles;
    /** The format types with at least one protected repository. */
    private final Set<String> protectedTypes;
    private final Repositories repositories;

    AccessControl(Repositories repositories, LoginCache cache) {
        this.cache = cache;
        this.repositories = repositories;
        Set<String> all = new LinkedHashSet<>(Set.of(Access.READ_ROLE, Access.ADMIN_ROLE));
        Set<String> types = new LinkedHashSet<>();
        for (Repository r : repositories.all()) {
            all.addAll(r.config().access().roles());
            if (!r.config().access().anonymous()) {
                types.add(r.type());
            }
        }
        this.roles = Set.copyOf(all);
        this.protectedTypes = Set.copyOf(types);
    }

    /** Reads the cache settings of {@code ctx} (context parameters or system properties). */
    static AccessControl create(ServletContext ctx, Repositories repositories) {
        Settings settings = new Settings(ctx::getInitParameter, System::getProperty);
        Clock clock = ctx.getAttribute(BinaryrepoListener.CLOCK) instanceof Clock c ? c : Clock.systemUTC();
        Duration ttl;
        int size;
        try {
            ttl = Durations.parse(settings.get(CACHE_TTL).orElse("60s"));
            size = Integer.parseInt(settings.get(CACHE_SIZE).orElse("10000"));
            if (size < 1) {
                throw new IllegalArgumentException("must be at least 1");
            }
        } catch (IllegalArgumentException e) {
            throw new ConfigException("binaryrepo not started: " + CACHE_TTL + " / " + CACHE_SIZE + ": " + e.getMessage());
        }
        return new AccessControl(repositories, new LoginCache(clock, ttl, size));
    }

    /**
     * Lets the request through when it may read {@code repository}; null stands for the top-level answer of
     * the format owning path segment {@code segment}, outside any repository ({@link #checkRoot}).
     *
     * @throws ProxyError 401 {@code UNAUTHORIZED} with a Basic challenge (no or wrong credentials), 403
     *     {@code DENIED} (authenticated, but without any of the repository's roles)
     */
    void check(Repository repository, String segment, HttpServletRequest req) {
        if (repository == null) {
            checkRoot(segment, req);
            return;
        }
        Access access = repository.config().access();
        if (access.anonymous()) {
            return; // credentials are not even looked at: podman sends empty ones after a 401 ping
        }
        Login login = login(req, "repository '" + repository.name() + "'");
        for (String role : access.roles()) {
            if (login.roles().contains(role)) {
                return;
            }
        }
        throw new ProxyError(403, "DENIED", "user '" + login.user() + "' may not read repository '"
                + repository.name() + "' (it needs one of the roles " + String.join(", ", access.roles()) + ")");
    }

    /**
     * A format's top-level answer without a repository, such as Docker's {@code GET /v2/}: where
     * {@code docker login}/{@code podman login} check their credentials. When any repository of that format is
     * protected it needs a valid login (any roles); a client that has none then retries with Basic
     * credentials, which anonymous repositories ignore. Without protected repositories of the format it stays
     * open, as before. (The format's own headers, such as Docker's API version, go on the error answer too.)
     *
     * @throws ProxyError 401 with the challenge
     */
    void checkRoot(String segment, HttpServletRequest req) {
        if (repositories.rootType(segment).filter(protectedTypes::contains).isPresent()) {
            try {
                login(req, "this registry");
            } catch (ProxyError e) {
                throw new ProxyError(e.status(), e.code(), e.getMessage(), Map.of("WWW-Authenticate", CHALLENGE));
            }
        }
    }

    /** The request's login, from the cache or the container. */
    private Login login(HttpServletRequest req, String what) {
        String header = req.getHeader("Authorization");
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw unauthorized("authentication required for " + what);
        }
        String token = header.substring(6).trim();
        if (token.length() > MAX_CREDENTIALS) {
            throw unauthorized("credentials too long");
        }
        Optional<Login> cached = cache.get(token);
        if (cached.isPresent()) {
            req.setAttribute(USER_ATTRIBUTE, cached.get().user());
            return cached.get();
        }
        Login login = realmLogin(req, token, what);
        cache.put(token, login);
        req.setAttribute(USER_ATTRIBUTE, login.user());
        return login;
    }

    private Login realmLogin(HttpServletRequest req, String token, String what) {
        String userPass;
        try {
            userPass = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw unauthorized("malformed Basic credentials (not base64)");
        }
        int colon = userPass.indexOf(':');
        if (colon <= 0) {
            throw unauthorized("authentication required for " + what + " (no user name in the Basic credentials)");
        }
        String user = userPass.substring(0, colon);
        // No getUserPrincipal() first: Jetty answers it by checking the Authorization header with the
        // realm, which would ask the realm twice (and count a wrong password twice).
        try {
            req.login(user, userPass.substring(colon + 1));
        } catch (ServletException e) {
            // the container's message is not shown; the user name is client input: no control
            // characters (log forging) and abbreviated
            LOG.debug("login of user '{}' refused by the realm", printable(user));
            throw unauthorized("wrong user name or password");
        }
        Set<String> granted = new LinkedHashSet<>();
        for (String role : roles) {
            if (req.isUserInRole(role)) {
                granted.add(role);
            }
        }
        return new Login(req.getRemoteUser() == null ? user : req.getRemoteUser(), granted);
    }

    private static String printable(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() <= 64 ? p : p.substring(0, 64) + "...";
    }

    private static ProxyError unauthorized(String message) {
        return new ProxyError(401, "UNAUTHORIZED", message, Map.of("WWW-Authenticate", CHALLENGE));
    }
}
