package io.binaryrepo.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One repository as configured: its name (the first path segment after {@code /repo/} or {@code /v2/}),
 * its format type, its upstream and its cache policy. Immutable.
 *
 * @param name repository name, {@code [a-z0-9][a-z0-9._-]*}
 * @param type format type, e.g. {@code docker}
 * @param url upstream base URL, without a trailing slash
 * @param username upstream user name, or null for anonymous access
 * @param password upstream password, or null for anonymous access; never logged
 * @param metadataTtl how long mutable documents (tags, indexes) are served without asking upstream
 * @param connectTimeout upstream connect timeout
 * @param readTimeout upstream timeout between two reads (and for the response headers)
 * @param options the per-format fields of the repository's entry (see {@code Format.options()}): a String for
 *     a plain value ({@code ${VAR}} expanded), a {@code List<String>} for a list of plain values
 * @param allowedHosts hosts besides the upstream's own origin that redirects and absolute URLs may lead
 *     to although they resolve to internal addresses (issue 17); never null, immutable
 * @param access who may read the repository (fields {@code access} and {@code roles}; issue 12)
 */
public record RepositoryConfig(String name, String type, URI url, String username, String password,
        Duration metadataTtl, Duration connectTimeout, Duration readTimeout, Map<String, Object> options,
        List<AllowedHost> allowedHosts, Access access) {

    public static final Duration DEFAULT_METADATA_TTL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    public RepositoryConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(metadataTtl, "metadataTtl");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        options = Map.copyOf(options);
        allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        Objects.requireNonNull(access, "access");
    }

    /** A repository anyone may read ({@link Access#ANONYMOUS}). */
    public RepositoryConfig(String name, String type, URI url, String username, String password,
            Duration metadataTtl, Duration connectTimeout, Duration readTimeout, Map<String, Object> options,
            List<AllowedHost> allowedHosts) {
        this(name, type, url, username, password, metadataTtl, connectTimeout, readTimeout, options, allowedHosts,
                Access.ANONYMOUS);
    }

    /** A repository without per-format options or {@code allowedHosts}. */
    public RepositoryConfig(String name, String type, URI url, String username, String password,
            Duration metadataTtl, Duration connectTimeout, Duration readTimeout) {
        this(name, type, url, username, password, metadataTtl, connectTimeout, readTimeout, Map.of(), List.of());
    }

    /** A repository without {@code allowedHosts}. */
    public RepositoryConfig(String name, String type, URI url, String username, String password,
            Duration metadataTtl, Duration connectTimeout, Duration readTimeout, Map<String, Object> options) {
        this(name, type, url, username, password, metadataTtl, connectTimeout, readTimeout, options, List.of());
    }

    /** A plain per-format option, if set. */
    public Optional<String> option(String field) {
        return options.get(field) instanceof String s ? Optional.of(s) : Optional.empty();
    }

    /** A list per-format option (a plain value counts as a list of one); empty when unset. */
    @SuppressWarnings("unchecked")
    public java.util.List<String> optionList(String field) {
        Object v = options.get(field);
        return v instanceof String s ? java.util.List.of(s) : v == null ? java.util.List.of() : (java.util.List<String>) v;
    }

    /** Upstream credentials, when both user name and password are configured. */
    public Optional<Credentials> credentials() {
        return username == null ? Optional.empty() : Optional.of(new Credentials(username, password));
    }

    /** Keeps the password out of logs and exception messages. */
    @Override
    public String toString() {
        return "RepositoryConfig[name=" + name + ", type=" + type + ", url=" + url
                + ", credentials=" + (username == null ? "none" : "configured") + ", metadataTtl=" + metadataTtl + ", allowedHosts=" + allowedHosts
                + ", access=" + (access.anonymous() ? "anonymous" : "roles " + access.roles()) + "]";
    }

    /** User name and password for an upstream; {@link #toString()} never shows the password. */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }
}
