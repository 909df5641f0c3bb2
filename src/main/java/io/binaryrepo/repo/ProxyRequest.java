package io.binaryrepo.repo;

import jakarta.servlet.http.HttpServletRequest;

/**
 * A request routed to a repository.
 *
 * @param method HTTP method, upper case
 * @param path the path inside the repository, raw (not percent-decoded), without a leading slash;
 *     for Docker it starts with {@code v2/}
 * @param servletRequest the underlying request, for headers
 */
public record ProxyRequest(String method, String path, HttpServletRequest servletRequest) {

    /** A request header, or null. */
    public String header(String name) {
        return servletRequest.getHeader(name);
    }

    public boolean isHead() {
        return method.equals("HEAD");
    }
}
