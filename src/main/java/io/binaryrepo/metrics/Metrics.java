package io.binaryrepo.metrics;

import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.repo.RequestEvents;
import io.binaryrepo.upstream.UpstreamEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * binaryrepo's meters (issue 11), recorded once through Micrometer and exposed as Prometheus text
 * ({@link #scrape}) and over JMX (domain {@code binaryrepo}, or {@code binaryrepo.<context>} for a webapp
 * not at the root, so two deployments in one JVM do not collide). Gives each repository its
 * {@link RepositoryMeters} as {@link RequestEvents} and {@link UpstreamEvents}; JVM and container
 * thread-pool binders; the cache gauges, refreshed on one daemon thread every 10 s (and soon after a scrape).
 * One per deployment, closed when the webapp stops. Thread-safe.
 */
public final class Metrics implements RequestEvents.Factory, Closeable {
    /** Servlet context attribute holding the deployment's {@link Metrics}. */
    public static final String ATTRIBUTE = "io.binaryrepo.metrics";
    /**
     * Setting: {@code off} stops the repositories reporting to the meters (they stay registered, at 0);
     * for measuring what counting costs side by side.
     */
    public static final String SETTING = "binaryrepo.metrics";
    private static final long TICK_SECONDS = 10;

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JmxMeterRegistry jmx;
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final Clock clock;
    private final CacheUsage cache;
    private final UpstreamErrors errors = new UpstreamErrors();
    private final List<RepositoryMeters> repositories = new CopyOnWriteArrayList<>();
    private final Map<String, RepositoryMeters> byName = new ConcurrentHashMap<>();
    private final IntSupplier downloadsInFlight;
    private final ScheduledExecutorService ticker;
    private final Counter evictions;
    private final Counter evictedBytes;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final ContainerThreads containerThreads = new ContainerThreads();
    private final AtomicLong lastRefresh = new AtomicLong(Long.MIN_VALUE / 2);

    /**
     * @param jmxDomain JMX domain of the meters
     * @param cacheRoot the cache root, measured for the cache gauges
     * @param downloadsInFlight the number of shared downloads running now
     */
    public Metrics(String jmxDomain, Path cacheRoot, IntSupplier downloadsInFlight, Clock clock) {
        this.clock = clock;
        this.cache = new CacheUsage(cacheRoot);
        this.downloadsInFlight = downloadsInFlight;
        this.jmx = new JmxMeterRegistry(new JmxConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String domain() {
                return jmxDomain;
            }
        }, io.micrometer.core.instrument.Clock.SYSTEM);
        registry.add(prometheus);
        registry.add(jmx);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        Gauge.builder("binaryrepo.downloads.in.flight", downloadsInFlight::getAsInt)
                .description("Shared upstream downloads running now (all repositories: blobs are shared)")
                .register(registry);
        Gauge.builder("binaryrepo.cache.size.bytes", cache, CacheUsage::bytes)
                .description("Bytes of committed entries in the cache").register(registry);
        Gauge.builder("binaryrepo.cache.max.size.bytes", cache, CacheUsage::max)
                .description("What the cache can grow to: the size cap if set and smaller, else its size plus the free space")
                .register(registry);
        Gauge.builder("binaryrepo.cache.entries", cache, CacheUsage::entries)
                .description("Committed entries in the cache").register(registry);
        evictions = Counter.builder("binaryrepo.cache.evictions").description("Entries evicted from the cache")
                .register(registry);
        evictedBytes = Counter.builder("binaryrepo.cache.evicted.bytes").description("Bytes evicted from the cache")
                .register(registry);
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "binaryrepo-metrics");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, 0, TICK_SECONDS, TimeUnit.SECONDS);
    }

    private void tick() {
        try {
            lastRefresh.set(System.nanoTime());
            cache.refresh();
            containerThreads.bind(registry);
            repositories.forEach(RepositoryMeters::tick);
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Metrics.class).warn("metrics refresh failed: {}", e.toString());
        }
    }

    @Override
    public RequestEvents requests(RepositoryConfig repository) {
        return meters(repository);
    }

    @Override
    public UpstreamEvents upstream(RepositoryConfig repository) {
        return meters(repository);
    }

    private RepositoryMeters meters(RepositoryConfig c) {
        return byName.computeIfAbsent(c.name(), n -> {
            RepositoryMeters m = new RepositoryMeters(n, c.type(), registry, errors, clock);
            repositories.add(m);
            return m;
        });
    }

    /**
     * Writes every meter in the format {@code accept} asks for (Prometheus text 0.0.4 unless it asks for
     * OpenMetrics); returns the content type written. Asks for a cache measurement soon after.
     */
    public String scrape(String accept, OutputStream out) throws IOException {
        if (System.nanoTime() - lastRefresh.get() > TimeUnit.SECONDS.toNanos(1)) {
            lastRefresh.set(System.nanoTime());
            ticker.execute(this::tick);
        }
        String type = accept != null && accept.contains("application/openmetrics-text")
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8";
        prometheus.scrape(out, type);
        return type;
    }

    /** The numbers behind the dashboard and {@code /api/v1/stats}. */
    public Stats stats() {
        return new Stats(clock.millis(), repositories.stream().map(m -> Map.entry(m, m.snapshot())).toList(),
                cache.bytes(), cache.max(), cache.entries(), downloadsInFlight.getAsInt(), errors.recent());
    }

    /** The size cap ({@code binaryrepo.storage.maxSize}, 0: none) the max-size gauge reports when smaller. */
    public void sizeCap(long bytes) {
        cache.cap(bytes);
    }

    /** Counts what one eviction run removed (issue 10); called on the eviction thread. */
    public void evicted(long entries, long bytes) {
        evictions.increment(entries);
        evictedBytes.increment(bytes);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        gc.close();
        registry.close();
        prometheus.close();
        jmx.close();
    }
}
