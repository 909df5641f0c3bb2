package io.binaryrepo.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.binaryrepo.repo.RequestEvents.Outcome;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One reading of binaryrepo's numbers, as {@code GET /api/v1/stats} returns them ({@link #json}) and the
 * dashboard shows them. Immutable.
 *
 * @param time when it was read (epoch millis)
 * @param repositories each repository's meters and their reading
 */
public record Stats(long time, List<Map.Entry<RepositoryMeters, RepositoryMeters.Snapshot>> repositories,
        long cacheBytes, long cacheMaxBytes, long cacheEntries, int downloadsInFlight,
        List<UpstreamErrors.Error> upstreamErrors) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Outcome[] OUTCOMES = Outcome.values();

    /** Outcome names as in {@code binaryrepo_requests_total{outcome}}. */
    public static String name(Outcome o) {
        return o.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Share of answered content and documents that came from the cache: hits over hits, misses, coalesced,
     * stale and passthrough answers (not-found and errors are left out); 0 before any.
     */
    static double hitRatio(long[] counts) {
        long answered = counts[Outcome.HIT.ordinal()] + counts[Outcome.MISS.ordinal()]
                + counts[Outcome.COALESCED.ordinal()] + counts[Outcome.STALE.ordinal()]
                + counts[Outcome.PASSTHROUGH.ordinal()];
        return answered == 0 ? 0 : (double) counts[Outcome.HIT.ordinal()] / answered;
    }

    /**
     * The JSON document: {@code time}, {@code repositories[]} (name, format, requests, outcomes{}, hitRatio,
     * servedFromCacheBytes (= bytes saved), servedFromUpstreamBytes, upstreamBytes, downloadWaiters,
     * rateLimitRemaining/rateLimitLimit (null until upstream sent them), history{minutes[], outcomes{}, bytesSaved[]}),
     * {@code cache{}}, {@code downloadsInFlight}, {@code upstreamErrors[]} (newest first).
     */
    public ObjectNode json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("time", time);
        ArrayNode repos = root.putArray("repositories");
        long firstMinute = Math.floorDiv(time, 60_000L) - (History.MINUTES - 1);
        for (Map.Entry<RepositoryMeters, RepositoryMeters.Snapshot> e : repositories) {
            RepositoryMeters.Snapshot s = e.getValue();
            ObjectNode r = repos.addObject();
            r.put("name", e.getKey().name());
            r.put("format", e.getKey().format());
            long total = 0;
            ObjectNode outcomes = r.putObject("outcomes");
            for (Outcome o : OUTCOMES) {
                outcomes.put(name(o), s.counts()[o.ordinal()]);
                total += s.counts()[o.ordinal()];
            }
            r.put("requests", total);
            r.put("hitRatio", hitRatio(s.counts()));
            r.put("servedFromCacheBytes", s.servedFromCache());
            r.put("servedFromUpstreamBytes", s.servedFromUpstream());
            r.put("upstreamBytes", s.upstreamBytes());
            r.put("downloadWaiters", s.waiters());
            number(r, "rateLimitRemaining", s.rateLimitRemaining());
            number(r, "rateLimitLimit", s.rateLimitLimit());
            ObjectNode h = r.putObject("history");
            ArrayNode minutes = h.putArray("minutes");
            for (int m = 0; m < History.MINUTES; m++) {
                minutes.add((firstMinute + m) * 60_000L);
            }
            ObjectNode ho = h.putObject("outcomes");
            for (Outcome o : OUTCOMES) {
                ArrayNode a = ho.putArray(name(o));
                for (long v : s.history()[o.ordinal()]) {
                    a.add(v);
                }
            }
            ArrayNode saved = h.putArray("bytesSaved");
            for (long v : s.history()[OUTCOMES.length]) {
                saved.add(v);
            }
        }
        ObjectNode cache = root.putObject("cache");
        cache.put("sizeBytes", cacheBytes);
        cache.put("maxSizeBytes", cacheMaxBytes);
        cache.put("entries", cacheEntries);
        root.put("downloadsInFlight", downloadsInFlight);
        ArrayNode errs = root.putArray("upstreamErrors");
        for (UpstreamErrors.Error x : upstreamErrors) {
            ObjectNode n = errs.addObject();
            n.put("time", x.time());
            n.put("repository", x.repository());
            n.put("status", x.status());
            n.put("method", x.method());
            n.put("path", x.path());
        }
        return root;
    }

    private static void number(ObjectNode n, String field, double v) {
        if (Double.isNaN(v)) {
            n.putNull(field);
        } else {
            n.put(field, (long) v);
        }
    }
}
