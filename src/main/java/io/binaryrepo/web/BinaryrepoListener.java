package io.binaryrepo.web;

import io.binaryrepo.cache.CrashRecovery;
import io.binaryrepo.cache.Downloads;
import io.binaryrepo.cache.EvictionPolicy;
import io.binaryrepo.cache.FileStorage;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.cache.TrackedStorage;
import io.binaryrepo.config.ConfigException;
import io.binaryrepo.config.RepositoriesFile;
import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.config.Settings;
import io.binaryrepo.health.Readiness;
import io.binaryrepo.metrics.Metrics;
import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.Repositories;
import io.binaryrepo.repo.RequestEvents;
import io.binaryrepo.s3.S3Settings;
import io.binaryrepo.s3.S3Storage;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires binaryrepo at start-up: reads the settings and the repositories file, opens the storage (removing
 * spool files a crash left behind) and creates each repository's handler. Everything lives in servlet
 * context attributes, so two deployments in one JVM share nothing. Invalid configuration stops the
 * webapp with one message naming file, repository and field.
 */
public final class BinaryrepoListener implements ServletContextListener {
    private static final Logger LOG = LoggerFactory.getLogger(BinaryrepoListener.class);

    /** Context attribute holding the {@link Repositories}. */
    public static final String REPOSITORIES = "io.binaryrepo.repositories";
    /** Optional context attribute: a {@link Clock} to use instead of the system clock (tests). */
    public static final String CLOCK = "io.binaryrepo.clock";

    /** Context attribute holding the {@link WebSettings}. */
    static final String WEB = "io.binaryrepo.web";
    private static final String DOWNLOADS = "io.binaryrepo.downloads";
    /** Context attribute holding the {@link io.binaryrepo.cache.Storage} (the admin API lists and sizes it). */
    public static final String STORAGE = "io.binaryrepo.storage";
    private static final String RECOVERY = "io.binaryrepo.recovery";

    /** The formats on the class path, discovered with ServiceLoader: a new format edits nothing here. */
    static List<Format> formats() {
        return Repositories.discoverFormats(BinaryrepoListener.class.getClassLoader());
    }

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext ctx = event.getServletContext();
        Settings settings = new Settings(ctx::getInitParameter, System::getProperty);
        List<Format> formats = formats();
        RepositoriesFile file = new RepositoriesFile(
                formats.stream().collect(Collectors.toMap(Format::type, Format::options)), System::getenv);
        List<RepositoryConfig> configs;
        try {
            configs = settings.configFile().map(file::read).orElseGet(file::builtInDefault);
        } catch (ConfigException e) {
            LOG.error("binaryrepo not started: {}", e.getMessage());
            throw e;
        }
        Clock clock = ctx.getAttribute(CLOCK) instanceof Clock c ? c : Clock.systemUTC();
        Downloads.Limits limits;
        EvictionPolicy eviction;
        try {
            eviction = evictionPolicy(settings);
            limits = new Downloads.Limits(
                    settings.positiveInt(Settings.DOWNLOAD_MAX_CONCURRENT, Downloads.Limits.DEFAULT.maxConcurrent()),
                    Downloads.Limits.DEFAULT.maxQueued(),
                    settings.bytes(Settings.DOWNLOAD_ABANDON_LIMIT, Downloads.Limits.DEFAULT.abandonLimit()));
        } catch (ConfigException e) {
            LOG.error(e.getMessage());
            throw e;
        }
        Storage storage = openStorage(settings, clock);
        Path root = settings.storageDir();
        CrashRecovery recovery = new CrashRecovery(storage);
        recovery.start();
        // Repositories, downloads and documents use the tracked storage (reads recorded, usage counted,
        // eviction after commits); crash recovery and the health probe use the backend itself.
        TrackedStorage tracked = new TrackedStorage(storage, eviction, clock, (n, bytes) -> {
            if (ctx.getAttribute(Metrics.ATTRIBUTE) instanceof Metrics m) {
                m.evicted(n, bytes);
            }
        });
        Downloads downloads = new Downloads(tracked, limits);
        Offload offload = settings.get(Settings.OFFLOAD).map(v -> switch (v) {
            case "nginx" -> Offload.NGINX;
            case "apache" -> Offload.APACHE;
            default -> throw new ConfigException("binaryrepo not started: " + Settings.OFFLOAD + " is '" + v
                    + "'; use nginx or apache (or leave it unset)");
        }).orElse(Offload.NONE);
        MutableDocuments documents = new MutableDocuments(tracked, clock, 64L * 1024 * 1024);
        Metrics metrics = new Metrics(ctx.getContextPath().isEmpty() ? "binaryrepo"
                : "binaryrepo" + ctx.getContextPath().replaceAll("[^A-Za-z0-9_-]", "."), root,
                downloads::size, clock);
        metrics.sizeCap(eviction.maxBytes());
        ctx.setAttribute(Metrics.ATTRIBUTE, metrics);
        Repositories repositories = new Repositories(configs, formats,
                new Repositories.Services(tracked, downloads, documents, clock,
                        settings.get(Metrics.SETTING).filter("off"::equals).isPresent() ? RequestEvents.Factory.NONE
                                : metrics));
        ctx.setAttribute(WEB, new WebSettings(offload, root.toString(),
                settings.get(Settings.PUBLIC_URL).map(u -> u.replaceAll("/+$", ""))));
        ctx.setAttribute(STORAGE, tracked);
        tracked.start();
        ctx.setAttribute(RECOVERY, recovery);
        ctx.setAttribute(DOWNLOADS, downloads);
        ctx.setAttribute(REPOSITORIES, repositories);
        ctx.setAttribute(Readiness.ATTRIBUTE, new Readiness(() -> ctx.getAttribute(REPOSITORIES) != null, storage,
                root, settings.get(Readiness.MIN_FREE).map(Long::parseLong).orElse(Readiness.DEFAULT_MIN_FREE)));
        LOG.info("binaryrepo started: cache {}, repositories {}", root, configs);
    }

    /**
     * The S3 bucket when {@code binaryrepo.storage.s3.bucket} is set (the storage directory then only holds
     * spool files), else the file system under the storage directory; spool files a crash left are removed.
     *
     * @throws ConfigException with one message naming the parameter, when the storage cannot be used
     */
    private static Storage openStorage(Settings settings, Clock clock) {
        Optional<S3Settings> s3;
        try {
            s3 = S3Settings.from(settings);
        } catch (ConfigException e) {
            LOG.error(e.getMessage());
            throw e;
        }
        Storage storage;
        try {
            if (s3.isPresent()) {
                storage = S3Storage.open(s3.get(), settings.storageDir());
                LOG.info("cache in S3 bucket {} (prefix '{}'), spooling under {}", s3.get().bucket(), s3.get().prefix(),
                        settings.storageDir());
            } else {
                storage = new FileStorage(settings.storageDir(), clock);
            }
        } catch (ConfigException e) {
            LOG.error(e.getMessage());
            throw e;
        } catch (IOException e) {
            String msg = "binaryrepo not started: cache directory " + settings.storageDir() + " (" + Settings.STORAGE_DIR
                    + ") cannot be used: " + e;
            LOG.error(msg);
            throw new ConfigException(msg, e);
        }
        try {
            int removed = storage.removeSpoolLeftovers();
            if (removed > 0) {
                LOG.info("removed {} incomplete download(s) left by an earlier run", removed);
            }
        } catch (IOException e) {
            String msg = "binaryrepo not started: cache directory " + settings.storageDir() + " (" + Settings.STORAGE_DIR
                    + ") cannot be used: " + e;
            LOG.error(msg);
            closeQuietly(storage);
            throw new ConfigException(msg, e);
        }
        return storage;
    }

    private static void closeQuietly(Storage storage) {
        try {
            storage.close();
        } catch (IOException ignored) {
            // start-up failed already; this is only tidying
        }
    }

    /**
     * The eviction settings (issue 10); logs one line saying what is capped.
     *
     * @throws ConfigException naming the parameter that is malformed
     */
    static EvictionPolicy evictionPolicy(Settings settings) {
        long maxBytes = settings.bytes(Settings.STORAGE_MAX_SIZE, 0);
        java.time.Duration maxAge = settings.duration(Settings.STORAGE_MAX_AGE).orElse(null);
        java.time.Duration grace = settings.duration(Settings.STORAGE_EVICTION_GRACE).orElse(EvictionPolicy.DEFAULT_GRACE);
        if (settings.get(Settings.STORAGE_MAX_SIZE).isPresent() && maxBytes <= 0) {
            throw new ConfigException("binaryrepo not started: " + Settings.STORAGE_MAX_SIZE + " is '"
                    + settings.get(Settings.STORAGE_MAX_SIZE).get() + "'; use a positive size such as 200GiB, or leave it unset");
        }
        if (maxAge != null && maxAge.isZero()) {
            throw new ConfigException("binaryrepo not started: " + Settings.STORAGE_MAX_AGE
                    + " is 0; use a positive duration such as 90d, or leave it unset");
        }
        EvictionPolicy p = new EvictionPolicy(maxBytes, maxAge, grace, EvictionPolicy.NONE.flushInterval(),
                EvictionPolicy.NONE.checkInterval());
        if (maxBytes <= 0) {
            LOG.info("no cache size cap ({} unset): the cache grows until the disk is full{}", Settings.STORAGE_MAX_SIZE,
                    maxAge == null ? "" : "; content not read for " + maxAge + " is evicted");
        } else {
            LOG.info("cache size cap {} bytes ({}): least recently used content is evicted down to 90 %{}", maxBytes,
                    Settings.STORAGE_MAX_SIZE, maxAge == null ? "" : "; content not read for " + maxAge + " too");
        }
        return p;
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ServletContext ctx = event.getServletContext();
        if (ctx.getAttribute(REPOSITORIES) instanceof Repositories r) {
            r.close();
        }
        if (ctx.getAttribute(DOWNLOADS) instanceof Downloads d) {
            d.close();
        }
        if (ctx.getAttribute(RECOVERY) instanceof CrashRecovery r) {
            r.close();
        }
        if (ctx.getAttribute(STORAGE) instanceof Storage s) {
            try {
                s.close(); // writes out the recorded reads, then the clean-shutdown marker
            } catch (IOException e) {
                LOG.warn("cache not marked as cleanly shut down: {}", e.toString());
            }
        }
        if (ctx.getAttribute(Metrics.ATTRIBUTE) instanceof Metrics m) {
            m.close();
        }
    }
}
