package io.binaryrepo.metrics;

import io.binaryrepo.repo.RequestEvents;
import io.binaryrepo.upstream.UpstreamEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one repository, all tagged {@code repository} and {@code format}. Every counter the
 * request path touches is registered up front (outcomes, byte sources, failure kinds), so recording is
 * an array index and an increment; the counter of an upstream HTTP status is registered the first time
 * that status is seen (at most 500 statuses: bounded). Thread-safe.
 */
final class RepositoryMeters implements RequestEvents, UpstreamEvents {
    private static final RequestEvents.Outcome[] OUTCOMES = RequestEvents.Outcome.values();
    private static final UpstreamEvents.Failure[] FAILURES = UpstreamEvents.Failure.values();
    /** Buckets of the upstream duration histogram: from a LAN answer to a slow blob start. */
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30)};

    private final String name;
    private final String format;
    private final MeterRegistry registry;
    private final Tags tags;
    private final UpstreamErrors errors;
    private final Clock clock;
    private final Counter[] outcomes = new Counter[OUTCOMES.length];
    private final Counter servedFromCache;
    private final Counter servedFromUpstream;
    private final Counter upstreamBytes;
    private final Counter[] failures = new Counter[FAILURES.length];
    private final AtomicReferenceArray<Counter> statuses = new AtomicReferenceArray<>(600);
    private final Timer upstreamDuration;
    private final AtomicInteger waiters = new AtomicInteger();
    private volatile double rateLimitRemaining = Double.NaN;
    private volatile double rateLimitLimit = Double.NaN;
    private final History history = new History(OUTCOMES.length + 1);

    RepositoryMeters(String name, String format, MeterRegistry registry, UpstreamErrors errors, Clock clock) {
        this.name = name;
        this.format = format;
        this.registry = registry;
        this.errors = errors;
        this.clock = clock;
        this.tags = Tags.of("repository", name, "format", format);
        for (RequestEvents.Outcome o : OUTCOMES) {
            outcomes[o.ordinal()] = Counter.builder("binaryrepo.requests").tags(tags)
                    .tag("outcome", o.name().toLowerCase(Locale.ROOT))
                    .description("Client requests by how they were answered").register(registry);
        }
        servedFromCache = served("cache");
        servedFromUpstream = served("upstream");
        upstreamBytes = Counter.builder("binaryrepo.upstream.bytes").tags(tags)
                .description("Response body bytes read from upstream").register(registry);
        for (UpstreamEvents.Failure f : FAILURES) {
            failures[f.ordinal()] = status(f.name().toLowerCase(Locale.ROOT));
        }
        upstreamDuration = Timer.builder("binaryrepo.upstream.request.duration").tags(tags)
                .description("Time until upstream's response headers (or the failure)")
                .serviceLevelObjectives(BUCKETS).register(registry);
        Gauge.builder("binaryrepo.download.waiters", waiters, AtomicInteger::get).tags(tags)
                .description("Requests waiting on or streaming from a shared download").register(registry);
        Gauge.builder("binaryrepo.ratelimit.remaining", this, m -> m.rateLimitRemaining).tags(tags)
                .description("Upstream pulls left (Docker Hub ratelimit-remaining); NaN until upstream sent it")
                .register(registry);
        Gauge.builder("binaryrepo.ratelimit.limit", this, m -> m.rateLimitLimit).tags(tags)
                .description("Upstream pull quota (Docker Hub ratelimit-limit); NaN until upstream sent it")
                .register(registry);
    }

    private Counter served(String source) {
        return Counter.builder("binaryrepo.served.bytes").tags(tags).tag("source", source)
                .description("Body bytes sent to clients: from the cache, or fetched from upstream").register(registry);
    }

    private Counter status(String status) {
        return Counter.builder("binaryrepo.upstream.requests").tags(tags).tag("status", status)
                .description("Upstream HTTP exchanges by status (or timeout/refused/reset)").register(registry);
    }

    String name() {
        return name;
    }

    String format() {
        return format;
    }

    @Override
    public void outcome(RequestEvents.Outcome o) {
        outcomes[o.ordinal()].increment();
    }

    @Override
    public void served(boolean fromCache, long bytes) {
        (fromCache ? servedFromCache : servedFromUpstream).increment(bytes);
    }

    @Override
    public void waiters(int delta) {
        waiters.addAndGet(delta);
    }

    @Override
    public void answered(int status, long nanos, String method, String path) {
        upstreamDuration.record(nanos, TimeUnit.NANOSECONDS);
        if (status < 100 || status >= statuses.length()) {
            return;
        }
        Counter c = statuses.get(status);
        if (c == null) {
            // Registering the same meter twice returns the same counter: a race here loses no counts.
            c = status(Integer.toString(status));
            statuses.set(status, c);
        }
        c.increment();
        if (status >= 500 || status == 429) {
            errors.add(new UpstreamErrors.Error(clock.millis(), name, Integer.toString(status), method, path));
        }
    }

    @Override
    public void failed(UpstreamEvents.Failure failure, long nanos, String method, String path) {
        upstreamDuration.record(nanos, TimeUnit.NANOSECONDS);
        failures[failure.ordinal()].increment();
        errors.add(new UpstreamErrors.Error(clock.millis(), name, failure.name().toLowerCase(Locale.ROOT), method,
                path));
    }

    @Override
    public void bodyBytes(long n) {
        upstreamBytes.increment(n);
    }

    @Override
    public void rateLimit(long remaining, long limit) {
        rateLimitRemaining = remaining;
        rateLimitLimit = limit < 0 ? Double.NaN : limit;
    }

    /** A consistent-enough view of this repository's numbers, and its per-minute history updated with them. */
    Snapshot snapshot() {
        long[] counts = new long[OUTCOMES.length + 1];
        for (int i = 0; i < OUTCOMES.length; i++) {
            counts[i] = (long) outcomes[i].count();
        }
        long fromCache = (long) servedFromCache.count();
        counts[OUTCOMES.length] = fromCache;
        long now = clock.millis();
        history.record(now, counts);
        return new Snapshot(counts, fromCache, (long) servedFromUpstream.count(), (long) upstreamBytes.count(),
                waiters.get(), rateLimitRemaining, rateLimitLimit, history.series(now));
    }

    /** Feeds the per-minute history without anyone reading it (called periodically). */
    void tick() {
        snapshot();
    }

    /**
     * @param counts requests per outcome (in {@link RequestEvents.Outcome} order), then bytes served from cache
     * @param history per-minute increments of {@code counts}, {@code [counter][minute]}, oldest minute first
     */
    record Snapshot(long[] counts, long servedFromCache, long servedFromUpstream, long upstreamBytes, int waiters,
            double rateLimitRemaining, double rateLimitLimit, long[][] history) {
    }
}
