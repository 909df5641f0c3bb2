package io.binaryrepo.config;

/**
 * Invalid configuration. The message names the file (or "built-in default"), the repository and the
 * field, so one line in the start-up log tells ops what to fix.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
