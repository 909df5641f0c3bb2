package io.binaryrepo.npm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.binaryrepo.repo.ProxyError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Errors as npm registries write them: a JSON object whose {@code error} the npm client prints after the
 * status ({@code npm error 404 Not Found - GET https://... - <error>}), CouchDB style, with binaryrepo's
 * machine-readable code beside it. Stateless.
 */
final class NpmErrors {
    static final String CONTENT_TYPE = "application/json; charset=utf-8";
    private static final JsonFactory JSON = new JsonFactory();

    private NpmErrors() {
    }

    /** {@code {"error":"<message>","code":"<code>"}} as UTF-8. */
    static byte[] body(ProxyError error) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("error", error.getMessage());
            g.writeStringField("code", error.code());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
