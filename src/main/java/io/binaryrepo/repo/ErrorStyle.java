package io.binaryrepo.repo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * How a format writes an error body: declared by the format, written by the shared code (the format never
 * sees the response). Implementations are stateless.
 */
public interface ErrorStyle {

    /** The body of {@code error}: content type and bytes. */
    Body render(ProxyError error);

    /** An error body. */
    record Body(String contentType, byte[] bytes) {
    }

    /**
     * {@code {"errors":[{"code":"...","message":"..."}]}}: the OCI distribution spec's error body, which
     * binaryrepo also uses where no repository (so no format) is known.
     */
    static ErrorStyle json() {
        return JsonErrors.INSTANCE;
    }

    /** A plain-text body: the message and a newline (how the go command and Helm show errors). */
    static ErrorStyle plainText(boolean withStatusAndCode) {
        return e -> new Body("text/plain; charset=utf-8",
                ((withStatusAndCode ? e.status() + " " + e.code() + ": " : "") + e.getMessage() + "\n")
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** The OCI error body. */
    final class JsonErrors implements ErrorStyle {
        static final JsonErrors INSTANCE = new JsonErrors();
        private static final ObjectMapper JSON = new ObjectMapper();

        private JsonErrors() {
        }

        @Override
        public Body render(ProxyError error) {
            ObjectNode root = JSON.createObjectNode();
            ObjectNode e = root.putArray("errors").addObject();
            e.put("code", error.code());
            e.put("message", error.getMessage());
            try {
                return new Body("application/json", JSON.writeValueAsBytes(root));
            } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
