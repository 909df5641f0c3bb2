package io.binaryrepo.config;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Start-up settings: servlet context parameters, each overridable by a Java system property of the
 * same name (the system property wins, so one server-wide {@code -D} flag can redirect a WAR without
 * editing its descriptor). Immutable and thread-safe.
 */
public final class Settings {
    /** Cache root directory. */
    public static final String STORAGE_DIR = "binaryrepo.storage.dir";
    /** Path of the repositories file (YAML). */
    public static final String CONFIG = "binaryrepo.config";
    /** Public base URL clients use to reach binaryrepo; written into rewritten documents. */
    public static final String PUBLIC_URL = "binaryrepo.publicUrl";
    /**
     * {@code nginx}: cached files are handed to an nginx frontend with {@code X-Accel-Redirect};
     * {@code apache}: to Apache httpd's mod_xsendfile with {@code X-Sendfile}; the frontend then sends them
     * itself. Unset: binaryrepo sends them.
     */
    public static final String OFFLOAD = "binaryrepo.offload";
    /**
     * Bytes a download may still fetch once every client has left it (default 256MiB); more remaining and
     * it is cancelled. A byte count with an optional unit: {@code 500000}, {@code 64KiB}, {@code 256MiB},
     * {@code 200GiB}.
     */
    public static final String DOWNLOAD_ABANDON_LIMIT = "binaryrepo.download.abandonLimit";
    /** Downloads from upstream running at once (default 64); further ones queue. */
    public static final String DOWNLOAD_MAX_CONCURRENT = "binaryrepo.download.maxConcurrent";

    /**
     * Cap on committed cache content ({@code 200GiB}; units KiB, MiB, GiB, TiB or plain bytes); unset: no cap.
     * Above it, least-recently-used content is evicted down to 90 % of it (issue 10).
     */
    public static final String STORAGE_MAX_SIZE = "binaryrepo.storage.maxSize";
    /** Evict content not read for this long ({@code 90d}); unset: never by age. */
    public static final String STORAGE_MAX_AGE = "binaryrepo.storage.maxAge";
    /** Content read or written this recently is never evicted (default 1m); see {@code EvictionPolicy}. */
    public static final String STORAGE_EVICTION_GRACE = "binaryrepo.storage.evictionGrace";

    private final Function<String, String> contextParams;
    private final Function<String, String> systemProperties;

    /**
     * @param contextParams lookup of servlet context init parameters (null when absent)
     * @param systemProperties lookup of system properties (null when absent)
     */
    public Settings(Function<String, String> contextParams, Function<String, String> systemProperties) {
        this.contextParams = contextParams;
        this.systemProperties = systemProperties;
    }

    /** The value of {@code name}: the system property if set, else the context parameter. */
    public Optional<String> get(String name) {
        String v = systemProperties.apply(name);
        if (v == null || v.isBlank()) {
            v = contextParams.apply(name);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    /** The cache root; {@code ./data} under the server's working directory when not configured. */
    public Path storageDir() {
        return Path.of(get(STORAGE_DIR).orElse("data")).toAbsolutePath().normalize();
    }

    /**
     * The byte count {@code name} ({@code 123}, {@code 64KiB}, {@code 256MiB}, {@code 200GiB}), or
     * {@code defaultBytes} when unset.
     *
     * @throws ConfigException naming the parameter when the value is not such a count
     */
    public long bytes(String name, long defaultBytes) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return defaultBytes;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,18})\\s*(|B|KiB|MiB|GiB|TiB)").matcher(v.get());
        if (m.matches()) {
            int shift = switch (m.group(2)) {
                case "KiB" -> 10;
                case "MiB" -> 20;
                case "GiB" -> 30;
                case "TiB" -> 40;
                default -> 0;
            };
            long n = Long.parseLong(m.group(1));
            if (n <= (Long.MAX_VALUE >> shift)) {
                return n << shift;
            }
        }
        throw new ConfigException("binaryrepo not started: " + name + " is '" + v.get()
                + "'; use a byte count such as 1048576, 64KiB, 256MiB or 200GiB");
    }

    /**
     * The duration {@code name} ({@code 90d}, {@code 12h}, {@code 30s}, {@code PT1H}), empty when unset.
     *
     * @throws ConfigException naming the parameter when the value is not such a duration
     */
    public Optional<java.time.Duration> duration(String name) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Durations.parse(v.get()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("binaryrepo not started: " + name + " is '" + v.get() + "': " + e.getMessage());
        }
    }

    /**
     * The positive whole number {@code name}, or {@code defaultValue} when unset.
     *
     * @throws ConfigException naming the parameter when the value is not a positive whole number
     */
    public int positiveInt(String name, int defaultValue) {
        Optional<String> v = get(name);
        if (v.isEmpty()) {
            return defaultValue;
        }
        if (v.get().matches("[1-9]\\d{0,8}")) {
            return Integer.parseInt(v.get());
        }
        throw new ConfigException("binaryrepo not started: " + name + " is '" + v.get() + "'; use a positive whole number");
    }

    /** The repositories file, when one is configured. */
    public Optional<Path> configFile() {
        return get(CONFIG).map(p -> Path.of(p).toAbsolutePath().normalize());
    }
}
