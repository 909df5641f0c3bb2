package io.binaryrepo.maven;

import io.binaryrepo.repo.ProxyError;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A validated path of a Maven repository (the "default" layout of Maven 2 and later) and what it is:
 * <ul>
 *   <li>{@link Kind#ARTIFACT}: {@code <group path>/<artifactId>/<version>/<file>} of a release, or a
 *       timestamped snapshot file ({@code foo-1.0-20240102.030405-7.jar} in {@code 1.0-SNAPSHOT/}):
 *       immutable, cached forever;</li>
 *   <li>{@link Kind#SNAPSHOT_FILE}: a non-timestamped file in a {@code -SNAPSHOT} directory
 *       ({@code foo-1.0-SNAPSHOT.jar}, Maven 2's non-unique snapshots): replaced in place, so mutable;</li>
 *   <li>{@link Kind#METADATA}: {@code maven-metadata.xml} at group, artifact or {@code -SNAPSHOT} level,
 *       and the root {@code archetype-catalog.xml}: mutable;</li>
 *   <li>{@link Kind#CHECKSUM}: a sidecar ({@code .md5}, {@code .sha1}, {@code .sha256}, {@code .sha512}) of
 *       one of the above, {@link #target()}; binaryrepo answers it from the bytes it serves for the target,
 *       so the two always agree;</li>
 *   <li>{@link Kind#LISTING}: the repository root or a path ending in {@code /}: a directory listing,
 *       never cached as a file.</li>
 * </ul>
 * Every segment is {@code [A-Za-z0-9_.+-]+} and does not start with a dot (no {@code .}, {@code ..},
 * hidden files, percent escapes or backslashes), so nothing outside the cache root can be named. Immutable.
 */
final class MavenPath {
    /** Longest path accepted (the storage key adds a few characters and must stay under 1024). */
    static final int MAX_PATH = 900;
    static final int MAX_SEGMENT = 200;
    /**
     * Longest storage key of a path, without the repository prefix: 1024 (the storage's limit) less
     * {@code maven/} and a 64-character repository name and {@code /}.
     */
    static final int MAX_KEY = 1024 - 71;
    /** The storage's limit for one key segment. */
    static final int MAX_KEY_SEGMENT = 255;
    /** What keys add to the escaped path: {@code c/sha512/} in front, {@code _f/} before the file. */
    private static final int KEY_OVERHEAD = "c/sha512/".length() + "_f/".length();
    static final String METADATA = "maven-metadata.xml";
    static final String ARCHETYPE_CATALOG = "archetype-catalog.xml";

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_+-][A-Za-z0-9_.+-]*");
    /** The timestamp and build number Maven 3 deploys snapshots with (e.g. {@code 20240102.030405-7}). */
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{8}\\.\\d{6}-\\d+([-.].*)?");

    /** What a path is. */
    enum Kind { ARTIFACT, SNAPSHOT_FILE, METADATA, CHECKSUM, LISTING }

    private final String path;
    private final Kind kind;
    private final ChecksumAlgorithm algorithm;
    private final MavenPath target;

    private MavenPath(String path, Kind kind, ChecksumAlgorithm algorithm, MavenPath target) {
        this.path = path;
        this.kind = kind;
        this.algorithm = algorithm;
        this.target = target;
    }

    /**
     * Parses the raw path inside the repository (no leading slash, not percent-decoded).
     *
     * @throws ProxyError 400 with a precise message when the path is not a Maven repository path
     */
    static MavenPath parse(String raw) {
        if (raw.length() > MAX_PATH) {
            throw bad("path longer than " + MAX_PATH + " characters");
        }
        if (raw.isEmpty() || raw.endsWith("/")) {
            validateSegments(raw.isEmpty() ? List.of() : List.of(raw.substring(0, raw.length() - 1).split("/", -1)), raw);
            return new MavenPath(raw, Kind.LISTING, null, null);
        }
        List<String> segments = List.of(raw.split("/", -1));
        validateSegments(segments, raw);
        String file = segments.get(segments.size() - 1);
        Optional<ChecksumAlgorithm> algorithm = ChecksumAlgorithm.ofFileName(file);
        if (algorithm.isPresent()) {
            String targetPath = raw.substring(0, raw.length() - algorithm.get().extension().length() - 1);
            MavenPath target = parseFile(targetPath, List.of(targetPath.split("/", -1)));
            if (target.kind == Kind.CHECKSUM) {
                throw bad("a checksum of a checksum file is not served: " + raw);
            }
            return new MavenPath(raw, Kind.CHECKSUM, algorithm.get(), target);
        }
        return parseFile(raw, segments);
    }

    private static MavenPath parseFile(String raw, List<String> segments) {
        String file = segments.get(segments.size() - 1);
        if (ChecksumAlgorithm.ofFileName(file).isPresent()) {
            return new MavenPath(raw, Kind.CHECKSUM, null, null);
        }
        if (file.equals(METADATA)) {
            if (segments.size() < 2) {
                throw bad("maven-metadata.xml must be under a group or artifact directory: " + raw);
            }
            return new MavenPath(raw, Kind.METADATA, null, null);
        }
        if (file.equals(ARCHETYPE_CATALOG) && segments.size() == 1) {
            return new MavenPath(raw, Kind.METADATA, null, null);
        }
        if (segments.size() < 4) {
            throw bad("not a Maven repository path: expected <groupId as path>/<artifactId>/<version>/<file>"
                    + " or .../maven-metadata.xml, got " + raw);
        }
        String version = segments.get(segments.size() - 2);
        if (version.endsWith("-SNAPSHOT") && !timestamped(segments.get(segments.size() - 3), version, file)) {
            return new MavenPath(raw, Kind.SNAPSHOT_FILE, null, null);
        }
        return new MavenPath(raw, Kind.ARTIFACT, null, null);
    }

    /** {@code artifactId-<base version>-<yyyyMMdd.HHmmss>-<build>[-classifier].<ext>}. */
    private static boolean timestamped(String artifactId, String snapshotVersion, String file) {
        String base = snapshotVersion.substring(0, snapshotVersion.length() - "SNAPSHOT".length());
        String prefix = artifactId + "-" + base;
        return file.startsWith(prefix) && TIMESTAMP.matcher(file.substring(prefix.length())).matches();
    }

    private static void validateSegments(List<String> segments, String raw) {
        int keyLength = KEY_OVERHEAD;
        for (String s : segments) {
            if (s.isEmpty()) {
                throw bad("empty path segment (double slash) in " + raw);
            }
            if (s.length() > MAX_SEGMENT) {
                throw bad("path segment longer than " + MAX_SEGMENT + " characters");
            }
            if (!SEGMENT.matcher(s).matches()) {
                throw bad("invalid path segment '" + printable(s) + "': Maven paths use letters, digits and"
                        + " _ . + - and segments do not start with a dot");
            }
            // Escaping (_ doubled, + as _p) lengthens keys: they must still fit the storage's limits.
            int escaped = keySegment(s).length();
            keyLength += escaped + 1;
            if (escaped > MAX_KEY_SEGMENT || keyLength > MAX_KEY) {
                throw bad("path too long to cache");
            }
        }
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : "?"));
        return b.toString();
    }

    static ProxyError bad(String message) {
        return new ProxyError(400, "BAD_PATH", message);
    }

    String path() {
        return path;
    }

    Kind kind() {
        return kind;
    }

    /** Cached forever and never revalidated: release artifacts and timestamped snapshot files. */
    boolean immutable() {
        return kind == Kind.ARTIFACT;
    }

    /** For {@link Kind#CHECKSUM}: its algorithm. */
    ChecksumAlgorithm algorithm() {
        return algorithm;
    }

    /** For {@link Kind#CHECKSUM}: the file it is the checksum of (an artifact, snapshot file or metadata). */
    MavenPath target() {
        return target;
    }

    /** The path to ask upstream for, relative to the repository URL, with a leading slash. */
    String upstreamPath() {
        return "/" + path;
    }

    /** The sidecar path to ask upstream for (with a leading slash) of this file's {@code a} checksum. */
    String upstreamSidecarPath(ChecksumAlgorithm a) {
        return "/" + path + "." + a.extension();
    }

    /** The file name (last segment); empty for a listing. */
    String fileName() {
        int slash = path.lastIndexOf('/', path.length() - 1);
        return kind == Kind.LISTING ? "" : path.substring(slash + 1);
    }

    /**
     * The storage key: {@code a/} (immutable) or {@code m/} (mutable) and the directories of the path, then
     * the file under a {@code _f} directory, each segment escaped ({@code _} becomes {@code __}, {@code +}
     * {@code _p}, a leading {@code -} {@code _d}). The escaping is injective and never yields {@code _f}, so
     * a file and a directory of the same name never collide in the cache.
     */
    String key() {
        if (kind == Kind.LISTING || kind == Kind.CHECKSUM) {
            throw new IllegalStateException(kind + " is never stored: " + path);
        }
        String[] segments = path.split("/");
        StringBuilder b = new StringBuilder(immutable() ? "a" : "m");
        for (int i = 0; i < segments.length - 1; i++) {
            b.append('/').append(keySegment(segments[i]));
        }
        return b.append("/_f/").append(keySegment(segments[segments.length - 1])).toString();
    }

    /**
     * For an artifact: the storage key of the record of its {@code a} checksum ({@code c/<algorithm>/} and
     * the rest of {@link #key()}), computed from the committed bytes.
     */
    String checksumKey(ChecksumAlgorithm a) {
        if (kind != Kind.ARTIFACT) {
            throw new IllegalStateException("only artifacts have checksum records: " + path);
        }
        return "c/" + a.extension() + key().substring(1);
    }

    /** For a listing: the key it is coalesced under (listings are never stored). */
    String listingKey() {
        if (kind != Kind.LISTING) {
            throw new IllegalStateException("not a listing: " + path);
        }
        StringBuilder b = new StringBuilder("l");
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                b.append('/').append(keySegment(s));
            }
        }
        return b.append("/_d").toString();
    }

    /** Storage keys allow neither {@code +} nor a leading {@code -}; {@code _} starts an escape, so it is doubled. */
    private static String keySegment(String s) {
        String e = s.replace("_", "__").replace("+", "_p");
        return e.startsWith("-") ? "_d" + e.substring(1) : e;
    }

    /** The content type to answer with (upstream's is not trusted: HTML error pages arrive as "200"). */
    String contentType() {
        if (kind == Kind.CHECKSUM) {
            return "text/plain";
        }
        String name = fileName().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jar") || name.endsWith(".war") || name.endsWith(".ear")) {
            return "application/java-archive";
        }
        if (name.endsWith(".pom") || name.endsWith(".xml")) {
            return "text/xml";
        }
        if (name.endsWith(".asc") || name.endsWith(".txt")) {
            return "text/plain";
        }
        if (name.endsWith(".html") || name.endsWith(".htm")) {
            return "text/html";
        }
        return "application/octet-stream";
    }

    /** Whether an HTML answer is legitimate here (only for {@code .html}/{@code .htm} files). */
    boolean mayBeHtml() {
        String name = fileName().toLowerCase(Locale.ROOT);
        return name.endsWith(".html") || name.endsWith(".htm");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MavenPath p && p.path.equals(path);
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return path;
    }
}
