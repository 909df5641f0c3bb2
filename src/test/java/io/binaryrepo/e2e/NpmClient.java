package io.binaryrepo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real {@code npm} command, isolated: its own {@code --userconfig} (written here, naming only the
 * registry), an empty {@code --globalconfig}, its own {@code --cache} and HOME, so neither the machine's
 * npm settings nor an earlier run's cache can answer for binaryrepo. {@link #freshCache()} gives the same
 * configuration with an empty cache. Not thread-safe.
 */
public final class NpmClient {
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final Path dir;
    private final Path cache;
    private final String registry;

    private NpmClient(Path dir, Path cache, String registry) {
        this.dir = dir;
        this.cache = cache;
        this.registry = registry;
    }

    /**
     * A client of {@code registry} with its configuration and cache under {@code dir}.
     *
     * @param extraConfig more npmrc lines (e.g. {@code cafile=...})
     */
    public static NpmClient of(Path dir, String registry, String... extraConfig) {
        try {
            Files.createDirectories(dir.resolve("home"));
            List<String> lines = new ArrayList<>(List.of("registry=" + registry, "audit=false", "fund=false",
                    "update-notifier=false", "fetch-retries=0", "loglevel=http"));
            lines.addAll(List.of(extraConfig));
            Files.write(dir.resolve("npmrc"), lines);
            Files.writeString(dir.resolve("global-npmrc"), "");
            return new NpmClient(dir, dir.resolve("cache-0"), registry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The registry this machine's npm is configured with ({@code npm config get registry}), with a trailing slash. */
    public static URI machineRegistry() {
        String out = ExternalProcess.runChecked(Duration.ofSeconds(60), Map.of(), "npm", "config", "get", "registry")
                .stdout().trim();
        return URI.create(out.endsWith("/") ? out : out + "/");
    }

    /** The same configuration with a new, empty cache. */
    public NpmClient freshCache() {
        int n = 1;
        while (Files.exists(dir.resolve("cache-" + n))) {
            n++;
        }
        return new NpmClient(dir, dir.resolve("cache-" + n), registry);
    }

    public String registry() {
        return registry;
    }

    /** Runs {@code npm <args>} in {@code project}; never throws for a non-zero exit. */
    public ExternalProcess.Result run(Path project, String... args) {
        List<String> cmd = new ArrayList<>(List.of("npm", "--userconfig", dir.resolve("npmrc").toString(),
                "--globalconfig", dir.resolve("global-npmrc").toString(), "--cache", cache.toString()));
        cmd.addAll(List.of(args));
        // npm runs in the project directory: ExternalProcess runs in this JVM's, so go through --prefix.
        cmd.addAll(List.of("--prefix", project.toString()));
        return ExternalProcess.run(TIMEOUT, Map.of("HOME", dir.resolve("home").toString(), "NO_UPDATE_NOTIFIER", "1"),
                cmd.toArray(String[]::new));
    }

    /** {@code npm <args>}, failing with npm's output on a non-zero exit. */
    public ExternalProcess.Result runChecked(Path project, String... args) {
        return run(project, args).checked();
    }
}
