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

    /** The repositories file, when one is configured. */
    public Optional<Path> configFile() {
        return get(CONFIG).map(p -> Path.of(p).toAbsolutePath().normalize());
    }
}
