package io.binaryrepo.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Writes error bodies as the OCI distribution spec defines them:
 * {@code {"errors":[{"code":"...","message":"...","detail":...}]}}.
 */
public final class OciErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OciErrors() {
    }

    /** Writes status, content type and body; the caller has checked the response is not committed. */
    public static void write(HttpServletResponse response, int status, String code, String message) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode errors = root.putArray("errors");
        ObjectNode e = errors.addObject();
        e.put("code", code);
        e.put("message", message);
        byte[] body = JSON.writeValueAsBytes(root);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
