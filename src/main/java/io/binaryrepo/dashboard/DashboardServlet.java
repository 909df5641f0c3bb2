package io.binaryrepo.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.config.Settings;
import io.binaryrepo.metrics.Metrics;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The status page ({@code /} and {@code /ui/}) and its data (JSON: {@code /ui/stats} for the page,
 * {@code /api/v1/stats} for admin tools, which web.xml keeps for role {@code binaryrepo-admin}). Setting
 * {@code binaryrepo.dashboard}: {@code public} (default: anyone may look) or {@code admin} (only users in
 * the container-managed role {@code binaryrepo-admin}; others get 403, so the deployment must configure
 * a login method and security constraint for it). Thread-safe.
 */
public final class DashboardServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    /** Setting: who may see the dashboard and the stats. */
    public static final String ACCESS = "binaryrepo.dashboard";
    /** The role that may see an {@code admin} dashboard. */
    public static final String ADMIN_ROLE = "binaryrepo-admin";
    private static final ObjectMapper JSON = new ObjectMapper();

    private transient Metrics metrics;
    private boolean adminOnly;

    @Override
    public void init() throws ServletException {
        if (!(getServletContext().getAttribute(Metrics.ATTRIBUTE) instanceof Metrics m)) {
            throw new ServletException("binaryrepo metrics are not set up (BinaryrepoListener did not run)");
        }
        metrics = m;
        String access = new Settings(getServletContext()::getInitParameter, System::getProperty).get(ACCESS)
                .orElse("public");
        if (!access.equals("public") && !access.equals("admin")) {
            throw new ServletException(ACCESS + " is '" + access + "'; use public or admin");
        }
        adminOnly = access.equals("admin");
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (adminOnly && !req.isUserInRole(ADMIN_ROLE)) {
            send(resp, 403, "text/plain; charset=utf-8",
                    ("the dashboard is only for users in role " + ADMIN_ROLE).getBytes(StandardCharsets.UTF_8));
            return;
        }
        String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
        // /api/v1/stats is the admin tools' copy (web.xml requires binaryrepo-admin for /api/v1/*); the page
        // refreshes from /ui/stats, which has the page's own access rule.
        if (path.equals("/api/v1/stats") || path.equals("/ui/stats")) {
            send(resp, 200, "application/json", JSON.writeValueAsBytes(metrics.stats().json()));
        } else if (path.isEmpty() || path.equals("/") || path.equals("/ui") || path.equals("/ui/")) {
            String html = DashboardPage.render(metrics.stats().json(), req.getContextPath() + "/ui/stats");
            send(resp, 200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        } else {
            send(resp, 404, "text/plain; charset=utf-8", "no such page".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void send(HttpServletResponse resp, int status, String type, byte[] body) throws IOException {
        resp.setStatus(status);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentType(type);
        resp.setContentLength(body.length);
        resp.getOutputStream().write(body);
    }
}
