package io.binaryrepo.metrics;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /metrics}: every meter in the Prometheus text format (OpenMetrics when the scraper asks for
 * it). Unauthenticated like most exporters; restrict it in the frontend or with a security constraint.
 */
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private transient Metrics metrics;

    @Override
    public void init() throws ServletException {
        if (!(getServletContext().getAttribute(Metrics.ATTRIBUTE) instanceof Metrics m)) {
            throw new ServletException("binaryrepo metrics are not set up (BinaryrepoListener did not run)");
        }
        metrics = m;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        // The content type depends on Accept; it is known before anything is written.
        String accept = req.getHeader("Accept");
        resp.setContentType(accept != null && accept.contains("application/openmetrics-text")
                ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                : "text/plain; version=0.0.4; charset=utf-8");
        metrics.scrape(accept, resp.getOutputStream());
    }
}
