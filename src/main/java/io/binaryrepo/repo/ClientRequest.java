package io.binaryrepo.repo;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A client request routed to a repository, without servlet types. Immutable; the header and body lookups
 * read the underlying request, so an instance is used on the request's thread only.
 */
public final class ClientRequest {
    private final String method;
    private final String path;
    private final String query;
    private final Function<String, List<String>> headers;
    private final Supplier<String> baseUrl;
    private final String requestPath;
    private final Body body;

    /** Opens the request body; the container owns (and closes) the stream. */
    @FunctionalInterface
    public interface Body {
        Body NONE = InputStream::nullInputStream;

        InputStream open() throws IOException;
    }

    /**
     * A request without a body, whose client path is {@code "/" + path}.
     *
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
        this(method, path, query, headers, baseUrl, "/" + path, Body.NONE);
    }

    /**
     * As above, with {@code requestPath}, the raw path the client sent, context path included (to write links
     * back to the same URL, e.g. a tag list's {@code Link: rel="next"}), and the request body (read only by
     * {@link Resource.Forward} resources).
     */
    public ClientRequest(String method, String path, String query, Function<String, List<String>> headers,
            Supplier<String> baseUrl, String requestPath, Body body) {
        this.method = Objects.requireNonNull(method);
        this.path = Objects.requireNonNull(path);
        this.query = query;
        this.headers = Objects.requireNonNull(headers);
        this.baseUrl = Objects.requireNonNull(baseUrl);
        this.requestPath = Objects.requireNonNull(requestPath);
        this.body = Objects.requireNonNull(body);
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

    /** The raw path the client sent, context path included, without the query. */
    public String requestPath() {
        return requestPath;
    }

    /** The request body as the container delivers it (empty when there is none); read at most once. */
    public InputStream body() throws IOException {
        return body.open();
    }
}
