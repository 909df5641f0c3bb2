package io.binaryrepo.web;

import io.binaryrepo.cache.DownloadFailedException;
import io.binaryrepo.docker.OciErrors;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.ProxyRequest;
import io.binaryrepo.repo.Repositories;
import io.binaryrepo.repo.Repositories.Repository;
import io.binaryrepo.repo.RepositoryHandler;
import io.binaryrepo.upstream.UpstreamException;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one servlet: routes {@code /repo/<repository>/...} (every format; the nginx/Apache frontend maps
 * a host name onto it) and {@code /v2/<repository>/<image>/...} (Docker clients without a frontend) to
 * the repository's handler, and is the single place where failures become HTTP responses: a
 * {@link ProxyError} as the format's error body, an upstream failure as 429/502/504, and a failure after
 * the response was committed as an aborted connection (never a short body that looks complete).
 *
 * <p>Routing uses the raw request URI, not the container's decoded path, so an encoded {@code %2F} or
 * {@code %2e%2e} can never change which repository or file is addressed.
 */
public final class ProxyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServlet.class);
    private static final Pattern REPO_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private transient Repositories repositories;

    @Override
    public void init() throws ServletException {
        Object r = getServletContext().getAttribute(BinaryrepoListener.REPOSITORIES);
        if (!(r instanceof Repositories)) {
            throw new ServletException("binaryrepo is not configured (BinaryrepoListener did not run)");
        }
        repositories = (Repositories) r;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // Method names are case-sensitive (RFC 9110 section 9.1): "get" is not GET, and "head" must not be
        // answered as HEAD (no body) while the container, which does not see a HEAD, expects the body.
        String method = req.getMethod();
        String uri = req.getRequestURI();
        String path = uri.substring(Math.min(uri.length(), req.getContextPath().length()));
        RepositoryHandler handler = null;
        try {
            Route route = route(path);
            if (route.repository == null) {
                // GET /v2/: the Docker API version check every client makes first.
                resp.setHeader("Docker-Distribution-API-Version", "registry/2.0");
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    throw new ProxyError(405, "UNSUPPORTED", "only GET and HEAD are supported", Map.of("Allow", "GET, HEAD"));
                }
                resp.setStatus(200);
                resp.setContentType("application/json");
                resp.setContentLength(2);
                if (method.equals("GET")) {
                    resp.getOutputStream().print("{}");
                }
                return;
            }
            handler = route.repository.handler();
            handler.serve(new ProxyRequest(method, route.rest, req), resp);
        } catch (ProxyError e) {
            error(handler, resp, e, method, uri);
        } catch (UpstreamException e) {
            error(handler, resp, mapUpstream(e), method, uri);
        } catch (DownloadFailedException e) {
            abort(resp, e, method, uri);
        } catch (IOException e) {
            if (resp.isCommitted()) {
                // Most often the client went away; the shared download (if any) goes on without it.
                LOG.debug("{} {}: response aborted: {}", method, uri, e.toString());
                throw e;
            }
            LOG.warn("{} {}: {}", method, uri, e.toString());
            error(handler, resp, new ProxyError(500, "UNKNOWN", "internal error: " + e.getClass().getSimpleName()),
                    method, uri);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, uri, e);
            if (resp.isCommitted()) {
                throw e;
            }
            error(handler, resp, new ProxyError(500, "UNKNOWN", "internal error"), method, uri);
        }
    }

    /** Upstream failures: 504 for timeouts, 429 with Retry-After, 502 for everything else. */
    static ProxyError mapUpstream(UpstreamException e) {
        switch (e.kind()) {
            case TIMEOUT:
                return new ProxyError(504, "UNAVAILABLE", e.getMessage());
            case STATUS:
                if (e.status() == 429) {
                    return new ProxyError(429, "TOOMANYREQUESTS", "upstream rate limit reached: " + e.getMessage(),
                            e.retryAfter() == null ? Map.of() : Map.of("Retry-After", e.retryAfter()));
                }
                return new ProxyError(502, "UNAVAILABLE", e.getMessage());
            default:
                return new ProxyError(502, "UNAVAILABLE", e.getMessage());
        }
    }

    private void error(RepositoryHandler handler, HttpServletResponse resp, ProxyError e, String method, String uri)
            throws IOException {
        if (resp.isCommitted()) {
            abort(resp, e, method, uri);
            return;
        }
        if (e.status() >= 500) {
            LOG.warn("{} {}: {} {}", method, uri, e.status(), e.getMessage());
        } else {
            LOG.debug("{} {}: {} {}", method, uri, e.status(), e.getMessage());
        }
        resp.reset();
        e.headers().forEach(resp::setHeader);
        if (handler != null) {
            handler.writeError(resp, e);
        } else {
            OciErrors.write(resp, e.status(), e.code(), e.getMessage());
        }
    }

    /** After the headers went out the only honest signal left is to break the connection. */
    private static void abort(HttpServletResponse resp, Exception e, String method, String uri) throws IOException {
        LOG.warn("{} {}: aborting response: {}", method, uri, e.getMessage());
        throw new IOException("response aborted: " + e.getMessage(), e);
    }

    private record Route(Repository repository, String rest) {
    }

    /** Maps a context-relative raw path to a repository and the path inside it. */
    private Route route(String path) {
        if (path.equals("/v2") || path.equals("/v2/")) {
            return new Route(null, "");
        }
        String rest;
        boolean dockerOnly;
        if (path.startsWith("/repo/")) {
            rest = path.substring("/repo/".length());
            dockerOnly = false;
        } else if (path.startsWith("/v2/")) {
            rest = path.substring("/v2/".length());
            dockerOnly = true;
        } else {
            throw new ProxyError(404, "NAME_UNKNOWN", "unknown path; use /repo/<repository>/... or /v2/<repository>/...");
        }
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        if (!REPO_NAME.matcher(name).matches()) {
            throw new ProxyError(404, "NAME_UNKNOWN", name.isEmpty() ? "missing repository name"
                    : "no repository named '" + abbreviate(name) + "'");
        }
        Optional<Repository> repo = repositories.get(name);
        if (repo.isEmpty()) {
            throw new ProxyError(404, "NAME_UNKNOWN", "no repository named '" + name + "'");
        }
        String inner = slash < 0 ? "" : rest.substring(slash + 1);
        if (dockerOnly) {
            if (!repo.get().type().equals("docker")) {
                throw new ProxyError(404, "NAME_UNKNOWN", "repository '" + name + "' is not a docker repository");
            }
            inner = "v2/" + inner;
        }
        return new Route(repo.get(), inner);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
