package io.binaryrepo.gomod;

import io.binaryrepo.cache.ContentCheck;
import io.binaryrepo.repo.Documents;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.upstream.UpstreamException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies {@code .mod} and {@code .zip} files against the checksum database before they are cached (issue
 * 17): the module version's lookup record is fetched through this repository's own checksum database proxy
 * (the document cache, {@code <url>/sumdb/<db>/lookup/<module>@<version>}; no other host), and the file's
 * {@code h1:} hash ({@link DirHash}) must equal the record's. The rule, as the go command's
 * {@code GONOSUMDB}/{@code GOSUMDB=off}:
 * <ul>
 *   <li>{@code sumdb: off}, or a module matching a {@code noSumdb} pattern: not looked up, cached after the
 *       length check as before;</li>
 *   <li>the database answers 404/410 (it does not know the module: a private one): cached after the length
 *       check, logged as unverified;</li>
 *   <li>the record lists another hash: refused, 502, nothing cached;</li>
 *   <li>the database fails (5xx, unreachable, timeout) or its record does not list this file: refused
 *       (502/504), nothing cached; the go command may retry.</li>
 * </ul>
 * Trust: the record is taken as the upstream serves it (over its TLS connection when the upstream is
 * https); binaryrepo does not check the signed tree head nor the record's inclusion proof. The go command does
 * both itself for every module it has no {@code go.sum} line for, through this same proxy. Thread-safe.
 */
final class ModuleChecksums {
    private static final Logger LOG = LoggerFactory.getLogger(ModuleChecksums.class);
    static final String DEFAULT_DB = "sum.golang.org";

    private final String repo;
    private final String db;
    private final List<String> noSumdb;
    private final GoDocuments documents;
    private final Documents cache;

    /**
     * @param db the checksum database's name, or null when verification is off
     * @param noSumdb module path patterns not to verify (the go command's {@code GONOSUMDB} syntax)
     */
    ModuleChecksums(String repo, String db, List<String> noSumdb, GoDocuments documents, Documents cache) {
        this.repo = repo;
        this.db = db;
        this.noSumdb = List.copyOf(noSumdb);
        this.documents = documents;
        this.cache = cache;
    }

    /** Whether {@code module} is looked up at all. */
    boolean verifies(String module) {
        return db != null && !GlobPrefix.matchesAny(noSumdb, module);
    }

    /**
     * {@code planned} with the hash check of {@code path} (a MOD or ZIP) added, or {@code planned} when the
     * rule above says the file is not verified.
     *
     * @throws UpstreamException (answered 502/504) when the checksum database cannot say (see the class comment)
     */
    ContentCheck check(GoPath path, ContentCheck planned) throws IOException {
        if (!verifies(path.module())) {
            return planned;
        }
        GoPath lookup = new GoPath(GoPath.Kind.SUMDB_LOOKUP, path.module(), path.version(), db, null, true);
        byte[] record;
        try {
            record = cache.current(documents.of(lookup)).body();
        } catch (ProxyError e) {
            if (e.status() == 404 || e.status() == 410) {
                LOG.info("repository {}: {} cached unverified: checksum database {} has no record of {}@{} ({})",
                        repo, path.describe(), db, path.module(), path.version(), e.status());
                return planned;
            }
            throw new UpstreamException(e.status() == 504 ? UpstreamException.Kind.TIMEOUT : UpstreamException.Kind.INVALID,
                    "cannot verify " + path.describe() + " against checksum database " + db + ": " + e.getMessage()
                            + "; not cached", e);
        }
        String expected = expected(record, path).orElseThrow(() -> new UpstreamException(UpstreamException.Kind.INVALID,
                "checksum database " + db + " record of " + path.module() + "@" + path.version()
                        + " lists no hash for " + path.describe() + "; not cached", null));
        boolean zip = path.kind() == GoPath.Kind.ZIP;
        return planned.withVerifier((content, size) -> {
            String actual = zip ? DirHash.ofZip(content, size) : DirHash.ofMod(content);
            if (!actual.equals(expected)) {
                LOG.warn("repository {}: {} refused: its hash {} differs from {} in checksum database {}", repo,
                        path.describe(), actual, expected, db);
                throw new IOException(path.describe() + " has hash " + actual + " but checksum database " + db
                        + " says " + expected);
            }
        });
    }

    /** The {@code h1:} hash a lookup record lists for the file of {@code path}. */
    static Optional<String> expected(byte[] record, GoPath path) {
        String wanted = path.module() + " " + path.version() + (path.kind() == GoPath.Kind.MOD ? "/go.mod" : "");
        for (String line : new String(record, StandardCharsets.UTF_8).split("\n")) {
            if (line.isEmpty()) {
                break; // the signed tree head follows the blank line
            }
            int space = line.lastIndexOf(' ');
            if (space > 0 && line.substring(0, space).equals(wanted) && line.startsWith("h1:", space + 1)) {
                return Optional.of(line.substring(space + 1));
            }
        }
        return Optional.empty();
    }

    /**
     * The {@code sumdb} option: a database name, {@code off}, or unset (the go command's default). YAML 1.1
     * reads an unquoted {@code off} as the boolean false, which arrives as {@code "false"}.
     */
    static String database(Optional<String> option) {
        String v = option.map(s -> s.trim()).orElse(DEFAULT_DB);
        String lower = v.toLowerCase(Locale.ROOT);
        return lower.equals("off") || lower.equals("false") ? null : v;
    }
}
