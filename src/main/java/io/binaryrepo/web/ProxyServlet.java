package io.binaryrepo.web;

import io.binaryrepo.cache.DownloadFailedException;
import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.ErrorStyle;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Repositories;
import io.binaryrepo.repo.Repositories.Repository;
import io.binaryrepo.repo.ResourceHandler;
import io.binaryrepo.repo.Resolver;
import io.binaryrepo.upstream.UpstreamException;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one servlet: routes {@code /repo/<repository>/...} (every format; the nginx/Apache frontend maps
 * a host name onto it) and the top-level segments formats own ({@code /v2/<repository>/<image>/...} for
 * Docker clients without a frontend) to the repository's {@link ResourceHandler}, and is the single place
 * where failures become HTTP responses: a {@link ProxyError} in the format's {@link ErrorStyle}, an
 * upstream failure as 429/502/504, and a failure after the response was committed as an aborted
 * connection (never a short body that looks complete). It knows no format.
 *
 * <p>Routing uses the raw request URI, not the container's decoded path, so an encoded {@code %2F} or
 * {@code %2e%2e} can never change which repository or file is addressed.
 */
public final class ProxyServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServlet.class);
    private static final Pattern REPO_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private transient Repositories repositories;
    private transient WebSettings web;
    private transient AccessControl access;

    @Override
    public void init() throws ServletException {
        Object r = getServletContext().getAttribute(BinaryrepoListener.REPOSITORIES);
        Object w = getServletContext().getAttribute(BinaryrepoListener.WEB);
        if (!(r instanceof Repositories) || !(w instanceof WebSettings)) {
            throw new ServletException("binaryrepo is not configured (BinaryrepoListener did not run)");
        }
        repositories = (Repositories) r;
        web = (WebSettings) w;
        access = AccessControl.create(getServletContext(), repositories);
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        // Method names are case-sensitive (RFC 9110 section 9.1): "get" is not GET, and "head" must not be
        // answered as HEAD (no body) while the container, which does not see a HEAD, expects the body.
        String method = req.getMethod();
        String uri = req.getRequestURI();
        String path = uri.substring(Math.min(uri.length(), req.getContextPath().length()));
        int second = path.indexOf('/', 1);
        String segment = path.length() <= 1 ? "" : path.substring(1, second < 0 ? path.length() : second);
        Optional<ResourceHandler> root = repositories.rootHandler(segment);
        Resolver style = root.map(ResourceHandler::resolver).orElse(null);
        try {
            Route route = route(path, segment, second, root);
            style = route.handler.resolver();
            access.check(route.repository, segment, req); // before any cache lookup (issue 12)
            ClientRequest request = new ClientRequest(method, route.rest, req.getQueryString(),
                    name -> headerValues(req, name), () -> web.baseUrl(req), uri, req::getInputStream);
            ServletReply reply = new ServletReply(req, resp, web.offload(), web.cacheRoot());
            route.handler.serve(request, reply);
        } catch (ProxyError e) {
            error(style, resp, e, method, uri);
        } catch (UpstreamException e) {
            error(style, resp, Failures.standard(e), method, uri);
        } catch (DownloadFailedException e) {
            abort(e, method, uri);
        } catch (IOException e) {
            if (resp.isCommitted()) {
                // Most often the client went away; the shared download (if any) goes on without it.
                LOG.debug("{} {}: response aborted: {}", method, uri, e.toString());
                throw e;
            }
            LOG.warn("{} {}: {}", method, uri, e.toString());
            error(style, resp, new ProxyError(500, "UNKNOWN", "internal error: " + e.getClass().getSimpleName()),
                    method, uri);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, uri, e);
            if (resp.isCommitted()) {
                throw e;
            }
            error(style, resp, new ProxyError(500, "UNKNOWN", "internal error"), method, uri);
        }
    }

    /** Every value of a request header; empty when absent. */
    static List<String> headerValues(HttpServletRequest req, String name) {
        var e = req.getHeaders(name);
        return e == null ? List.of() : Collections.list(e);
    }

    private void error(Resolver style, HttpServletResponse resp, ProxyError e, String method, String uri)
            throws IOException {
        if (resp.isCommitted()) {
            abort(e, method, uri);
            return;
        }
        if (e.status() >= 500) {
            LOG.warn("{} {}: {} {}", method, uri, e.status(), e.getMessage());
        } else {
            LOG.debug("{} {}: {} {}", method, uri, e.status(), e.getMessage());
        }
        resp.reset();
        ErrorStyle.Body body = (style == null ? ErrorStyle.json() : style.errorStyle()).render(e);
        if (style != null) {
            style.headers().forEach(resp::setHeader);
        }
        e.headers().forEach(resp::setHeader);
        resp.setStatus(e.status());
        resp.setContentType(body.contentType());
        resp.setContentLength(body.bytes().length);
        resp.getOutputStream().write(body.bytes());
    }

    /** After the headers went out the only honest signal left is to break the connection. */
    private static void abort(Exception e, String method, String uri) throws IOException {
        LOG.warn("{} {}: aborting response: {}", method, uri, e.getMessage());
        throw new IOException("response aborted: " + e.getMessage(), e);
    }

    /**
     * Where a request goes: a repository's handler (or a format's top-level one) and the path for it;
     * {@code repository} is null for a format's top-level answer (the Docker ping {@code GET /v2/}).
     */
    private record Route(ResourceHandler handler, String rest, Repository repository) {
    }

    /**
     * Maps a context-relative raw path to a handler and the path inside the repository.
     *
     * @param segment the first path segment; {@code second} the index of the slash after it (or -1)
     * @param root the handler of a format owning {@code segment}, if any
     */
    private Route route(String path, String segment, int second, Optional<ResourceHandler> root) {
        if (root.isPresent() && (second < 0 || second == path.length() - 1)) {
            return new Route(root.get(), "", null);
        }
        if (!(segment.equals("repo") || root.isPresent()) || second < 0) {
            throw new ProxyError(404, "NAME_UNKNOWN", "unknown path; use /repo/<repository>/...");
        }
        String rest = path.substring(second + 1);
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        if (!REPO_NAME.matcher(name).matches()) {
            throw new ProxyError(404, "NAME_UNKNOWN", name.isEmpty() ? "missing repository name"
                    : "no repository named '" + abbreviate(name) + "'");
        }
        Repository repo = repositories.get(name)
                .orElseThrow(() -> new ProxyError(404, "NAME_UNKNOWN", "no repository named '" + name + "'"));
        String inner = slash < 0 ? "" : rest.substring(slash + 1);
        if (root.isPresent()) {
            String type = repositories.rootType(segment).orElseThrow();
            if (!repo.type().equals(type)) {
                throw new ProxyError(404, "NAME_UNKNOWN", "repository '" + name + "' is not a " + type + " repository");
            }
            inner = segment + "/" + inner;
        }
        return new Route(repo.handler(), inner, repo);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
