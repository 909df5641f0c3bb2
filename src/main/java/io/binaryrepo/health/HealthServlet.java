package io.binaryrepo.health;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /health/live}: 200 while the webapp runs. {@code GET /health/ready}: 200
 * {@code {"status":"UP","checks":{...}}} when {@link Readiness} passes, else 503 with the failing
 * checks marked {@code DOWN} and an {@code error}. Anything else under {@code /health/} is 404.
 */
public final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        ObjectNode body;
        int status;
        if (path.equals("/live")) {
            body = JSON.createObjectNode().put("status", "UP");
            status = 200;
        } else if (path.equals("/ready")) {
            if (getServletContext().getAttribute(Readiness.ATTRIBUTE) instanceof Readiness r) {
                body = r.check();
            } else {
                body = JSON.createObjectNode().put("status", "DOWN");
                body.putObject("checks").putObject("configuration").put("status", "DOWN")
                        .put("error", "binaryrepo did not start");
            }
            status = body.path("status").asText().equals("UP") ? 200 : 503;
        } else {
            body = JSON.createObjectNode().put("error", "unknown health endpoint; use /health/live or /health/ready");
            status = 404;
        }
        byte[] bytes = JSON.writeValueAsBytes(body);
        resp.setStatus(status);
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentType("application/json");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }
}
