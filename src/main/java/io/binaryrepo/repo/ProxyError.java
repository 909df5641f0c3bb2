package io.binaryrepo.repo;

import java.util.Map;

/**
 * A request binaryrepo answers with an error status: bad input, unknown content, refused upstream.
 * Formats throw it; the shared code writes it in the format's {@link ErrorStyle}. The message is shown to
 * clients: it must be precise and must never contain credentials.
 */
public final class ProxyError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final Map<String, String> headers;

    /**
     * @param status HTTP status
     * @param code machine-readable code (for Docker an OCI error code such as {@code NAME_INVALID})
     * @param message human-readable, precise
     */
    public ProxyError(int status, String code, String message) {
        this(status, code, message, Map.of());
    }

    /** As above, with extra response headers (e.g. {@code Retry-After}, {@code Allow}). */
    public ProxyError(int status, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
