package io.binaryrepo.web;

import io.binaryrepo.cache.CrashRecovery;
import io.binaryrepo.cache.Downloads;
import io.binaryrepo.cache.FileStorage;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.config.ConfigException;
import io.binaryrepo.config.RepositoriesFile;
import io.binaryrepo.config.RepositoryConfig;
import io.binaryrepo.config.Settings;
import io.binaryrepo.health.Readiness;
import io.binaryrepo.metrics.Metrics;
import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.Repositories;
import io.binaryrepo.repo.RequestEvents;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
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
        FileStorage storage;
        try {
            storage = new FileStorage(settings.storageDir(), clock);
            int removed = storage.removeSpoolLeftovers();
            if (removed > 0) {
                LOG.info("removed {} incomplete download(s) left by an earlier run", removed);
            }
        } catch (IOException e) {
            String msg = "binaryrepo not started: cache directory " + settings.storageDir() + " (" + Settings.STORAGE_DIR
                    + ") cannot be used: " + e;
            LOG.error(msg);
            throw new ConfigException(msg, e);
        }
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
                : "binaryrepo" + ctx.getContextPath().replaceAll("[^A-Za-z0-9_-]", "."), storage.root(),
                downloads::size, clock);
        ctx.setAttribute(Metrics.ATTRIBUTE, metrics);
        Repositories repositories = new Repositories(configs, formats,
                new Repositories.Services(storage, downloads, documents, clock,
                        settings.get(Metrics.SETTING).filter("off"::equals).isPresent() ? RequestEvents.Factory.NONE
                                : metrics));
        ctx.setAttribute(WEB, new WebSettings(offload, storage.root().toString(),
                settings.get(Settings.PUBLIC_URL).map(u -> u.replaceAll("/+$", ""))));
        ctx.setAttribute(STORAGE, storage);
        ctx.setAttribute(RECOVERY, recovery);
        ctx.setAttribute(DOWNLOADS, downloads);
        ctx.setAttribute(REPOSITORIES, repositories);
        ctx.setAttribute(Readiness.ATTRIBUTE, new Readiness(() -> ctx.getAttribute(REPOSITORIES) != null, storage,
                storage.root(), settings.get(Readiness.MIN_FREE).map(Long::parseLong).orElse(Readiness.DEFAULT_MIN_FREE)));
        LOG.info("binaryrepo started: cache {}, repositories {}", storage.root(), configs);
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
        if (ctx.getAttribute(STORAGE) instanceof FileStorage s) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.warn("cache {} not marked as cleanly shut down: {}", s.root(), e.toString());
            }
        }
        if (ctx.getAttribute(Metrics.ATTRIBUTE) instanceof Metrics m) {
            m.close();
        }
    }
}
