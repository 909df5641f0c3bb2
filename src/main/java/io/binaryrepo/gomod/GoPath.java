package io.binaryrepo.gomod;

import io.binaryrepo.repo.KeySegments;

import io.binaryrepo.repo.ProxyError;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A request path inside a Go repository, parsed and validated: the GOPROXY protocol
 * ({@code <module>/@v/list}, {@code <module>/@v/<version>.info|.mod|.zip}, {@code <module>/@latest}) and
 * the checksum database proxy ({@code sumdb/<db>/supported|latest|lookup/<module>@<version>|tile/...}).
 *
 * <p>The path is the raw request path: the go command sends the {@code !} of case-escaped module paths
 * percent-encoded as {@code %21}, which is the one escape decoded here; any other {@code %} is refused,
 * so an encoded {@code /} or {@code ..} can never change what is addressed. Module paths are checked with
 * the rules of {@code golang.org/x/mod/module}, versions as file name elements; storage keys are built
 * from the validated parts through {@link KeySegments}, never from the raw text. Malformed paths are a
 * {@link ProxyError} 400; paths that are no endpoint of either protocol, and versions that cannot exist
 * for the module, are 404. Immutable.
 *
 * @param kind what is asked for
 * @param module the module path, unescaped (e.g. {@code github.com/BurntSushi/toml}); null for sumdb
 *     paths other than lookups
 * @param version the version or query, unescaped; null when none
 * @param db the checksum database name, for sumdb paths; else null
 * @param tile the tile, for {@link Kind#SUMDB_TILE}; else null
 * @param immutable whether the answer can never change (cache forever, never revalidate)
 */
record GoPath(Kind kind, String module, String version, String db, TilePath tile, boolean immutable) {

    enum Kind { LIST, LATEST, INFO, MOD, ZIP, SUMDB_SUPPORTED, SUMDB_LATEST, SUMDB_LOOKUP, SUMDB_TILE }

    /** Longer raw paths are refused before any parsing. */
    static final int MAX_RAW = 2048;
    /** Leaves room for the {@code go/<repository>/} prefix within FileStorage's 1024-character keys. */
    private static final int MAX_KEY = 900;
    /** The escaped form of a version or query: lowercase, digits, {@code . _ ~ + -} and {@code !} escapes. */
    private static final Pattern ESCAPED_VERSION = Pattern.compile("[a-z0-9._~+!-]{1,200}");
    /** A checksum database name is {@code host[:port][/path]}, as the go command accepts it. */
    private static final Pattern DB_HOST = Pattern.compile(
            "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::[0-9]{1,5})?");
    private static final Pattern DB_PATH_ELEMENT = Pattern.compile("[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,63}");
    private static final Set<String> SUMDB_ENDPOINTS = Set.of("supported", "latest", "lookup", "tile");
    private static final String SHAPES = "expected <module>/@v/list, <module>/@v/<version>.info, .mod or .zip, "
            + "<module>/@latest, or sumdb/<database>/supported, latest, lookup/<module>@<version> or tile/...";

    /**
     * Parses a raw path inside a Go repository (no leading slash, not percent-decoded).
     *
     * @throws ProxyError 400 for malformed paths, 404 for paths that are no endpoint or name no content
     */
    static GoPath parse(String raw) {
        if (raw.length() > MAX_RAW) {
            throw bad("path longer than " + MAX_RAW + " characters");
        }
        String path = decodeBangs(raw);
        GoPath p = path.startsWith("sumdb/") ? sumdb(path.substring("sumdb/".length())) : module(path);
        String key;
        try {
            key = p.key();
        } catch (IllegalArgumentException e) {
            throw bad("path too long to cache: " + e.getMessage());
        }
        if (key.length() > MAX_KEY) {
            throw bad("path too long to cache");
        }
        return p;
    }

    /** {@code %21} becomes {@code !}; any other percent-escape is refused. */
    private static String decodeBangs(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        String s = raw.replace("%21", "!");
        if (s.indexOf('%') >= 0) {
            throw bad("percent-encoded characters other than %21 ('!') are not allowed in module proxy paths");
        }
        return s;
    }

    private static GoPath module(String path) {
        if (path.endsWith("/@latest")) {
            String module = modulePath(path.substring(0, path.length() - "/@latest".length()));
            return new GoPath(Kind.LATEST, module, null, null, null, false);
        }
        int at = path.indexOf("/@v/");
        if (at < 0) {
            throw new ProxyError(404, "NOT_FOUND", "not a module proxy path: " + SHAPES);
        }
        String module = modulePath(path.substring(0, at));
        String file = path.substring(at + "/@v/".length());
        if (file.equals("list")) {
            return new GoPath(Kind.LIST, module, null, null, null, false);
        }
        Kind kind = file.endsWith(".info") ? Kind.INFO : file.endsWith(".mod") ? Kind.MOD
                : file.endsWith(".zip") ? Kind.ZIP : null;
        if (kind == null || file.indexOf('/') >= 0) {
            throw new ProxyError(404, "NOT_FOUND", "not a module proxy path: " + SHAPES);
        }
        String version = version(file.substring(0, file.lastIndexOf('.')));
        String pathMajor = ModulePath.splitPathVersion(module);
        boolean exact = Semver.isCanonical(version) && Semver.fitsPathMajor(version, pathMajor);
        if (kind == Kind.INFO) {
            // A canonical version fitting the path names one fixed commit; anything else (a branch, a
            // semver prefix, v2.0.0 of a v0/v1 path that upstream may answer as +incompatible) is a query.
            return new GoPath(kind, module, version, null, null, exact);
        }
        if (!Semver.isValid(version)) {
            throw bad("invalid version '" + version + "': .mod and .zip are served for semantic versions only");
        }
        if (!exact) {
            // The go command only fetches these for canonical versions of the right major: no such file exists.
            throw new ProxyError(404, "NOT_FOUND", "not found: " + module + "@" + version + ": "
                    + (Semver.isCanonical(version) ? "version does not match the module path's major version"
                    : "not a canonical version"));
        }
        return new GoPath(kind, module, version, null, null, true);
    }

    private static GoPath sumdb(String rest) {
        String[] s = rest.split("/", -1);
        int e = 1;
        while (e < s.length && !SUMDB_ENDPOINTS.contains(s[e])) {
            e++;
        }
        if (e >= s.length) {
            throw new ProxyError(404, "NOT_FOUND", "not a checksum database path: " + SHAPES);
        }
        String db = dbName(s, e);
        String endpoint = s[e];
        String tail = String.join("/", Arrays.copyOfRange(s, e + 1, s.length));
        switch (endpoint) {
            case "supported", "latest" -> {
                if (e != s.length - 1) {
                    throw new ProxyError(404, "NOT_FOUND", "not a checksum database path: " + SHAPES);
                }
                return new GoPath(endpoint.equals("latest") ? Kind.SUMDB_LATEST : Kind.SUMDB_SUPPORTED, null, null,
                        db, null, false);
            }
            case "lookup" -> {
                int at = tail.indexOf('@');
                if (at < 0 || tail.indexOf('@', at + 1) >= 0) {
                    throw bad("checksum database lookups are lookup/<module>@<version>");
                }
                String module = modulePath(tail.substring(0, at));
                String version = version(tail.substring(at + 1));
                if (!Semver.isCanonical(version)) {
                    throw bad("checksum database lookups need a canonical version, not '" + version + "'");
                }
                return new GoPath(Kind.SUMDB_LOOKUP, module, version, db, null, true);
            }
            default -> {
                TilePath t = TilePath.parse("tile/" + tail);
                if (t == null) {
                    throw bad("invalid tile path: expected tile/H/L/NNN or tile/H/L/NNN.p/W in canonical form");
                }
                return new GoPath(Kind.SUMDB_TILE, null, null, db, t, !t.partial());
            }
        }
    }

    private static String dbName(String[] s, int end) {
        if (!DB_HOST.matcher(s[0]).matches()) {
            throw bad("invalid checksum database name '" + abbreviate(s[0]) + "'");
        }
        StringBuilder b = new StringBuilder(s[0]);
        for (int i = 1; i < end; i++) {
            if (!DB_PATH_ELEMENT.matcher(s[i]).matches() || s[i].endsWith(".")) {
                throw bad("invalid checksum database name element '" + abbreviate(s[i]) + "'");
            }
            b.append('/').append(s[i]);
        }
        if (b.length() > 255) {
            throw bad("checksum database name longer than 255 characters");
        }
        return b.toString();
    }

    private static String modulePath(String escaped) {
        String module = ModulePath.unescape(escaped);
        if (module == null) {
            throw bad("invalid escaped module path '" + abbreviate(escaped)
                    + "' (capital letters are written as '!' and the lowercase letter)");
        }
        String why = ModulePath.check(module);
        if (why != null) {
            throw bad("invalid module path '" + abbreviate(module) + "': " + why);
        }
        return module;
    }

    private static String version(String escaped) {
        String version = ESCAPED_VERSION.matcher(escaped).matches() ? ModulePath.unescape(escaped) : null;
        if (version == null) {
            throw bad("invalid escaped version '" + abbreviate(escaped) + "'");
        }
        String why = ModulePath.checkVersion(version);
        if (why != null) {
            throw bad("invalid version '" + abbreviate(version) + "': " + why);
        }
        return version;
    }

    private static ProxyError bad(String message) {
        return new ProxyError(400, "BAD_REQUEST", message);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    /** The module path as sent to upstream (case-escaped). */
    String escapedModule() {
        return ModulePath.escape(module);
    }

    /** The version as sent to upstream (case-escaped). */
    String escapedVersion() {
        return ModulePath.escape(version);
    }

    /** The path to ask upstream for, relative to the repository URL, starting with {@code /}. */
    String upstreamPath() {
        return switch (kind) {
            case LIST -> "/" + escapedModule() + "/@v/list";
            case LATEST -> "/" + escapedModule() + "/@latest";
            case INFO -> "/" + escapedModule() + "/@v/" + escapedVersion() + ".info";
            case MOD -> "/" + escapedModule() + "/@v/" + escapedVersion() + ".mod";
            case ZIP -> "/" + escapedModule() + "/@v/" + escapedVersion() + ".zip";
            case SUMDB_SUPPORTED -> "/sumdb/" + db + "/supported";
            case SUMDB_LATEST -> "/sumdb/" + db + "/latest";
            case SUMDB_LOOKUP -> "/sumdb/" + db + "/lookup/" + escapedModule() + "@" + escapedVersion();
            case SUMDB_TILE -> "/sumdb/" + db + "/" + tile.path();
        };
    }

    /**
     * The storage key below the repository's cache directory. Layout (every element through
     * {@link KeySegments}; the {@code _x} markers cannot collide with encoded elements):
     * <pre>
     *   mod/MODULE/_v/list          mod/MODULE/_latest          mod/MODULE/_q/QUERY.info
     *   mod/MODULE/_v/VERSION.info  mod/MODULE/_v/VERSION.mod   mod/MODULE/_v/VERSION.zip
     *   sumdb/DB/_latest            sumdb/DB/_lookup/MODULE/_v/VERSION
     *   sumdb/DB/_tile/H/L/[xNNN/]NNN[.p/W]
     * </pre>
     */
    String key() {
        String mod = module == null ? null : "mod/" + KeySegments.encodePath(escapedModule());
        return switch (kind) {
            case LIST -> mod + "/_v/list";
            case LATEST -> mod + "/_latest";
            case INFO -> mod + (immutable ? "/_v/" : "/_q/") + versionFile(".info");
            case MOD -> mod + "/_v/" + versionFile(".mod");
            case ZIP -> mod + "/_v/" + versionFile(".zip");
            case SUMDB_SUPPORTED -> "sumdb/" + KeySegments.encodePath(db) + "/_supported"; // answered, never stored
            case SUMDB_LATEST -> "sumdb/" + KeySegments.encodePath(db) + "/_latest";
            case SUMDB_LOOKUP -> "sumdb/" + KeySegments.encodePath(db) + "/_lookup/"
                    + KeySegments.encodePath(escapedModule()) + "/_v/" + KeySegments.encode(escapedVersion());
            // The canonical tile path consists of digits, "x", "data" and ".p" only: valid segments as is.
            case SUMDB_TILE -> "sumdb/" + KeySegments.encodePath(db) + "/_" + tile.path();
        };
    }

    private String versionFile(String extension) {
        String f = KeySegments.encode(escapedVersion()) + extension;
        if (f.length() > KeySegments.MAX_SEGMENT) {
            throw bad("version too long to cache");
        }
        return f;
    }

    /** The content type binaryrepo answers with (upstream's varies between proxies and file servers). */
    String contentType() {
        return switch (kind) {
            case LATEST, INFO -> "application/json";
            case ZIP -> "application/zip";
            case SUMDB_TILE -> tile.data() ? "text/plain; charset=utf-8" : "application/octet-stream";
            default -> "text/plain; charset=utf-8";
        };
    }

    /** Names the content in messages, e.g. {@code example.com/mod@v1.2.3 .zip}. */
    String describe() {
        return switch (kind) {
            case LIST -> module + " version list";
            case LATEST -> module + "@latest";
            case INFO -> module + "@" + version + " .info";
            case MOD -> module + "@" + version + " .mod";
            case ZIP -> module + "@" + version + " .zip";
            case SUMDB_SUPPORTED -> "checksum database " + db;
            case SUMDB_LATEST -> "checksum database " + db + " latest tree";
            case SUMDB_LOOKUP -> "checksum database " + db + " record of " + module + "@" + version;
            case SUMDB_TILE -> "checksum database " + db + " " + tile.path();
        };
    }
}
