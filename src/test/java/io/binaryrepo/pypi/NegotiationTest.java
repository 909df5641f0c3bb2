package io.binaryrepo.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NegotiationTest {
    private static final String PIP = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; "
            + "q=0.1, text/html; q=0.01";

    private static Optional<String> choose(String accept, boolean json) {
        return Negotiation.choose(accept == null ? List.of() : List.of(accept), json);
    }

    @Test
    void pip_getsJsonWhenThereIsJson_elseVersionedHtml() {
        assertEquals(Optional.of(Negotiation.JSON), choose(PIP, true));
        assertEquals(Optional.of(Negotiation.HTML_V1), choose(PIP, false));
    }

    @Test
    void qualityValues_decide_tiesGoToTheServersOrder() {
        assertEquals(Optional.of(Negotiation.HTML_V1), choose("application/vnd.pypi.simple.v1+json;q=0.2, "
                + "application/vnd.pypi.simple.v1+html", true));
        assertEquals(Optional.of(Negotiation.TEXT_HTML), choose("text/html", true));
        assertEquals(Optional.of(Negotiation.JSON), choose("*/*", true));
        assertEquals(Optional.of(Negotiation.HTML_V1), choose("*/*", false));
        assertEquals(Optional.of(Negotiation.TEXT_HTML), choose("text/*, application/vnd.pypi.simple.v1+json;q=0",
                true));
        assertEquals(Optional.of(Negotiation.JSON), choose("application/vnd.pypi.simple.latest+json", true));
    }

    @Test
    void noAccept_getsTextHtml_nothingAcceptable_isEmpty() {
        assertEquals(Optional.of(Negotiation.TEXT_HTML), choose(null, true));
        assertEquals(Optional.empty(), choose("application/vnd.pypi.simple.v1+json", false));
        assertEquals(Optional.empty(), choose("application/json", true));
        assertEquals(Optional.empty(), choose("text/html;q=0", false));
        assertEquals(Optional.empty(), choose("text/html;q=abc", false));
    }
}
