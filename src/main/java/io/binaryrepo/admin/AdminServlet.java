package io.binaryrepo.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Inventory;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Removal;
import io.binaryrepo.repo.Repositories;
import io.binaryrepo.web.BinaryrepoListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /api/v1/} (issue 10; README "Admin API"): repositories with their usage, a
 * repository's content page by page, purge, prefetch jobs. Knows no format: each repository's
 * {@link Inventory} names, purges and plans prefetches. web.xml's security constraint lets only role
 * {@code binaryrepo-admin} in; the servlet checks the role again, so a container without the constraint
 * does not open the API. Every error is {@code {"error": "..."}}. {@code /api/v1/stats} stays the
 * dashboard's (an exact mapping wins over this servlet's {@code /api/v1/*}). Thread-safe.
 */
public final class AdminServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(AdminServlet.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ROLE = "binaryrepo-admin";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern JOB = Pattern.compile("[0-9a-f]{32}");

    private transient Repositories repositories;
    private transient RepositoryUsage usage;
    private transient ContentListing listing;
    private transient PrefetchJobs jobs;

    @Override
    public void init() throws ServletException {
        Object r = getServletContext().getAttribute(BinaryrepoListener.REPOSITORIES);
        Object s = getServletContext().getAttribute(BinaryrepoListener.STORAGE);
        if (!(r instanceof Repositories) || !(s instanceof Storage)) {
            throw new ServletException("binaryrepo is not configured (BinaryrepoListener did not run)");
        }
        Clock clock = getServletContext().getAttribute(BinaryrepoListener.CLOCK) instanceof Clock c ? c
                : Clock.systemUTC();
        repositories = (Repositories) r;
        usage = new RepositoryUsage((Storage) s, clock);
        listing = new ContentListing((Storage) s);
        jobs = new PrefetchJobs();
    }

    @Override
    public void destroy() {
        if (jobs != null) {
            jobs.close();
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String uri = req.getRequestURI();
        String path = uri.substring(Math.min(uri.length(), req.getContextPath().length()));
        try {
            if (!req.isUserInRole(ROLE)) {
                throw req.getUserPrincipal() == null
                        ? new ProxyError(401, "UNAUTHORIZED", "the admin API needs a login",
                                Map.of("WWW-Authenticate", "Basic realm=\"binaryrepo\""))
                        : new ProxyError(403, "DENIED", "the admin API is only for users in role " + ROLE);
            }
            route(path, req, resp);
        } catch (ProxyError e) {
            send(resp, e.status(), error(e.getMessage()), e.headers());
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} {} failed", req.getMethod(), uri, e);
            if (!resp.isCommitted()) {
                send(resp, 500, error("internal error: " + e.getClass().getSimpleName()), Map.of());
            }
        }
    }

    private void route(String path, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String[] s = path.split("/", -1); // "", "api", "v1", ...
        int n = s.length;
        if (n == 4 && s[3].equals("repositories")) {
            method(req, "GET");
            send(resp, 200, repositoriesJson(), Map.of());
        } else if (n == 6 && s[3].equals("repositories") && s[5].equals("content")) {
            Repositories.Repository repo = repository(s[4]);
            if (method(req, "GET", "DELETE").equals("GET")) {
                send(resp, 200, listing.page(repo.inventory(), req.getParameter("prefix"), req.getParameter("limit"),
                        req.getParameter("cursor")), Map.of());
            } else {
                send(resp, 200, purge(repo, req.getParameter("path")), Map.of());
            }
        } else if (n == 6 && s[3].equals("repositories") && s[5].equals("prefetch")) {
            Repositories.Repository repo = repository(s[4]);
            method(req, "POST");
            PrefetchRequest body = PrefetchRequest.read(req);
            List<Inventory.Prefetch> planned = new ArrayList<>();
            for (String reference : body.references()) {
                planned.add(repo.inventory().prefetch(reference, body.platforms()));
            }
            PrefetchJob job = jobs.start(repo.handler(), planned);
            LOG.info("admin {}: prefetch job {} in repository {}: {}", req.getRemoteUser(), job.id(), repo.name(),
                    body.references());
            ObjectNode out = JSON.createObjectNode().put("job", job.id());
            send(resp, 202, out, Map.of("Location", req.getContextPath() + "/api/v1/jobs/" + job.id()));
        } else if (n == 5 && s[3].equals("jobs")) {
            method(req, "GET");
            PrefetchJob job = (JOB.matcher(s[4]).matches() ? jobs.get(s[4]) : Optional.<PrefetchJob>empty())
                    .orElseThrow(() -> new ProxyError(404, "NOT_FOUND", "no job with this id (ids are kept for the "
                            + PrefetchJobs.RETAINED + " latest jobs)"));
            send(resp, 200, job.json(), Map.of());
        } else {
            throw new ProxyError(404, "NOT_FOUND", "no such admin API path; see README \"Admin API\"");
        }
    }

    private ObjectNode purge(Repositories.Repository repo, String path) throws IOException {
        if (path == null || path.isEmpty()) {
            throw new ProxyError(400, "INVALID", "path is required (what to purge)");
        }
        Inventory.Purge purge = repo.inventory().purge(path); // checked before anything is deleted
        Removal.Tally t = purge.run();
        usage.forget(repo.name());
        LOG.info("admin: purged {} from repository {}: {} entries, {} bytes", path, repo.name(), t.removed(), t.bytes());
        return JSON.createObjectNode().put("removed", t.removed()).put("bytes", t.bytes());
    }

    private ArrayNode repositoriesJson() throws IOException {
        ArrayNode out = JSON.createArrayNode();
        for (Repositories.Repository r : repositories.all()) {
            RepositoryUsage.Usage u = usage.of(r.name(), r.inventory());
            out.addObject().put("name", r.name()).put("type", r.type()).put("url", r.config().url().toString())
                    .put("entries", u.entries()).put("bytes", u.bytes());
        }
        return out;
    }

    private Repositories.Repository repository(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new ProxyError(404, "NOT_FOUND", "no repository named '" + (name.length() > 64
                    ? name.substring(0, 64) + "..." : name) + "'");
        }
        return repositories.get(name).orElseThrow(() -> new ProxyError(404, "NOT_FOUND",
                "no repository named '" + name + "'"));
    }

    /** The request's method if it is one of {@code allowed}; else 405 with {@code Allow}. */
    private static String method(HttpServletRequest req, String... allowed) {
        for (String m : allowed) {
            if (m.equals(req.getMethod())) {
                return m;
            }
        }
        throw new ProxyError(405, "UNSUPPORTED", req.getMethod() + " is not allowed here (only "
                + String.join(", ", allowed) + ")", Map.of("Allow", String.join(", ", allowed)));
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void send(HttpServletResponse resp, int status, JsonNode body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        resp.reset();
        resp.setStatus(status);
        headers.forEach(resp::setHeader);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentType("application/json");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }
}
