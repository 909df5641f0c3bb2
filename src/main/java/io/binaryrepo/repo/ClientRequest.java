package io.binaryrepo.repo;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A client request routed to a repository, without servlet types. Immutable; the header lookup reads the
 * underlying request, so an instance is used on the request's thread only.
 */
public final class ClientRequest {
    private final String method;
    private final String path;
    private final String query;
    private final Function<String, List<String>> headers;
    private final Supplier<String> baseUrl;
    private final Body body;

    /** Opens the request body; the container owns (and closes) the stream. */
    @FunctionalInterface
    public interface Body {
        Body NONE = InputStream::nullInputStream;

        InputStream open() throws IOException;
    }

    /**
     * @param method HTTP method, exactly as sent (case-sensitive, RFC 9110 section 9.1)
     * @param path the path inside the repository, raw (not percent-decoded), without a leading slash; for
     *     Docker it starts with {@code v2/}
     * @param query the raw query string, or null
     * @param headers every value of a request header (empty when absent)
     * @param baseUrl the public base URL of binaryrepo (configured, else as the container reports the
     *     request), without a trailing slash; asked only by formats that write URLs into documents
     */
    public ClientRequest(String method, String path, String query, Function<String, List<String>> headers,
            Supplier<String> baseUrl) {
        this(method, path, query, headers, baseUrl, Body.NONE);
    }

    /** As above, with the request body (read only by {@link Resource.Forward} resources). */
    public ClientRequest(String method, String path, String query, Function<String, List<String>> headers,
            Supplier<String> baseUrl, Body body) {
        this.body = Objects.requireNonNull(body);
        this.method = Objects.requireNonNull(method);
        this.path = Objects.requireNonNull(path);
        this.query = query;
        this.headers = Objects.requireNonNull(headers);
        this.baseUrl = Objects.requireNonNull(baseUrl);
    }

    public String method() {
        return method;
    }

    public String path() {
        return path;
    }

    /** The raw query string, or null. */
    public String query() {
        return query;
    }

    public boolean isHead() {
        return method.equals("HEAD");
    }

    /** The first value of a header, or null. */
    public String header(String name) {
        List<String> v = headers.apply(name);
        return v.isEmpty() ? null : v.get(0);
    }

    /** Every value of a header, in order; empty when absent. */
    public List<String> headers(String name) {
        return headers.apply(name);
    }

    /** binaryrepo's public base URL, e.g. {@code https://cache.example.com}, without a trailing slash. */
    public String baseUrl() {
        return baseUrl.get();
    }

    /** The request body as the container delivers it (empty when there is none); read at most once. */
    public InputStream body() throws IOException {
        return body.open();
    }

    /** The same request with another path (routing uses it to strip or add prefixes). */
    public ClientRequest withPath(String newPath) {
        return new ClientRequest(method, newPath, query, headers, baseUrl, body);
    }
}
