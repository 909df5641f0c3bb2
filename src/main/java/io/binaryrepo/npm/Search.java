package io.binaryrepo.npm;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.UpstreamClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET /-/v1/search?text=...}: forwarded to upstream and kept briefly (one document per query
 * string, {@link #TTL}), so a burst of identical searches costs one upstream request and a search still
 * answers for a while when upstream fails. The public registry answers only a User-Agent that contains
 * "npm", so the client's is forwarded (or one naming npm). Thread-safe.
 */
final class Search {
    /** How long one search answer is served without asking upstream. */
    static final Duration TTL = Duration.ofMinutes(1);
    /** Search answers are small (at most 250 results of a few hundred bytes). */
    static final int MAX_BYTES = 4 * 1024 * 1024;
    static final int MAX_QUERY = 2048;
    /** Characters of a percent-encoded query string. */
    private static final Pattern QUERY = Pattern.compile("[A-Za-z0-9._~%+=&:,@!*'()/;-]*");

    private final String repo;
    private final UpstreamClient upstream;
    private final MutableDocuments.Policy policy;

    Search(String repo, UpstreamClient upstream) {
        this.repo = repo;
        this.upstream = upstream;
        this.policy = new MutableDocuments.Policy(TTL, TTL, MAX_BYTES);
    }

    /**
     * @param query the raw query string, or null
     * @param userAgent the client's User-Agent, or null
     * @throws ProxyError 400 for a query that is too long or not percent-encoded
     */
    Resource.Document resource(String query, String userAgent) {
        String q = query == null ? "" : query;
        if (q.length() > MAX_QUERY || !QUERY.matcher(q).matches()) {
            throw new ProxyError(400, "BAD_REQUEST", "the search query must be a percent-encoded query string of at most "
                    + MAX_QUERY + " characters");
        }
        String ua = userAgent != null && userAgent.contains("npm") && userAgent.length() < 512
                && userAgent.chars().allMatch(c -> c >= ' ' && c < 0x7f) ? userAgent : "npm (binaryrepo)";
        String path = "/-/v1/search" + (q.isEmpty() ? "" : "?" + q);
        return new Resource.Document("npm/" + repo + "/search/" + sha256(q), policy,
                UpstreamDocuments.conditionalGet(h -> {
                    Map<String, String> headers = new LinkedHashMap<>(h);
                    headers.put("User-Agent", ua);
                    headers.put("Accept", "application/json");
                    return upstream.send("GET", path, headers, null);
                }, UpstreamDocuments.capped(MAX_BYTES), "search"),
                d -> Resource.Rendered.bytes(d.body(), "application/json; charset=utf-8",
                        Map.of("Cache-Control", "public, max-age=" + TTL.toSeconds())),
                Failures.of("NOT_FOUND", "search", " is not offered by the upstream of repository '" + repo + "'",
                        false));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
