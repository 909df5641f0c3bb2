package io.binaryrepo.web;

import io.binaryrepo.cache.CrashRecovery;
import io.binaryrepo.cache.Downloads;
import io.binaryrepo.cache.FileStorage;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.cache.Storage;
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
    private static final String STORAGE = "io.binaryrepo.storage";
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
        try {
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
        Downloads downloads = new Downloads(storage, limits);
        Offload offload = settings.get(Settings.OFFLOAD).map(v -> switch (v) {
            case "nginx" -> Offload.NGINX;
            case "apache" -> Offload.APACHE;
            default -> throw new ConfigException("binaryrepo not started: " + Settings.OFFLOAD + " is '" + v
                    + "'; use nginx or apache (or leave it unset)");
        }).orElse(Offload.NONE);
        MutableDocuments documents = new MutableDocuments(storage, clock, 64L * 1024 * 1024);
        Metrics metrics = new Metrics(ctx.getContextPath().isEmpty() ? "binaryrepo"
                : "binaryrepo" + ctx.getContextPath().replaceAll("[^A-Za-z0-9_-]", "."), root,
                downloads::size, clock);
        ctx.setAttribute(Metrics.ATTRIBUTE, metrics);
        Repositories repositories = new Repositories(configs, formats,
                new Repositories.Services(storage, downloads, documents, clock,
                        settings.get(Metrics.SETTING).filter("off"::equals).isPresent() ? RequestEvents.Factory.NONE
                                : metrics));
        ctx.setAttribute(WEB, new WebSettings(offload, root.toString(),
                settings.get(Settings.PUBLIC_URL).map(u -> u.replaceAll("/+$", ""))));
        ctx.setAttribute(STORAGE, storage);
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
                s.close();
            } catch (IOException e) {
                LOG.warn("cache not marked as cleanly shut down: {}", e.toString());
            }
        }
        if (ctx.getAttribute(Metrics.ATTRIBUTE) instanceof Metrics m) {
            m.close();
        }
    }
}
