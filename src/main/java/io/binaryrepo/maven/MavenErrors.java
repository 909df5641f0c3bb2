package io.binaryrepo.maven;

import java.nio.charset.StandardCharsets;

/**
 * Errors as Maven repositories write them: the status is what the resolver acts on (404: "not in this
 * repository", cached by the client per its update policy; anything else: a transfer failure it reports),
 * the body a line of plain text that {@code mvn -X} shows. Stateless.
 */
final class MavenErrors {
    static final String CONTENT_TYPE = "text/plain; charset=utf-8";

    private MavenErrors() {
    }

    /** The body of an error answer: the message and a newline, UTF-8. */
    static byte[] body(String message) {
        return (message + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
