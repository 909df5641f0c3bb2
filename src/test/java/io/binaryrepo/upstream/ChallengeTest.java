package io.binaryrepo.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChallengeTest {

    private static Challenge only(String header) {
        List<Challenge> all = Challenge.parseAll(header);
        assertEquals(1, all.size(), () -> "challenges: " + all);
        return all.get(0);
    }

    @Test
    void parseAll_dockerHubBearer_schemeAndParams() {
        Challenge c = only("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                + "scope=\"repository:library/alpine:pull\"");

        assertEquals("bearer", c.scheme());
        assertEquals(Map.of("realm", "https://auth.docker.io/token", "service", "registry.docker.io",
                "scope", "repository:library/alpine:pull"), c.params());
        assertEquals(List.of("realm", "service", "scope"), List.copyOf(c.params().keySet()));
    }

    @Test
    void parseAll_severalChallenges_eachWithItsParams() {
        List<Challenge> all = Challenge.parseAll("Basic realm=\"a\", Bearer realm=\"b\",service=\"c\"");

        assertEquals(List.of(
                new Challenge("basic", Map.of("realm", "a")),
                new Challenge("bearer", Map.of("realm", "b", "service", "c"))), all);
    }

    @Test
    void parseAll_quotedStringsWithCommasAndEscapedQuotes_unquoted() {
        Challenge c = only("Bearer realm=\"a, b\", error_description=\"say \\\"hi\\\", \\\\ ok\", scope=\"x,y\"");

        assertEquals("a, b", c.param("realm"));
        assertEquals("say \"hi\", \\ ok", c.param("error_description"));
        assertEquals("x,y", c.param("scope"));
    }

    @Test
    void parseAll_emptyQuotedString_isEmptyValue() {
        assertEquals("", only("Bearer realm=\"\"").param("realm"));
    }

    @Test
    void parseAll_tokenValues_unquotedAccepted() {
        Challenge c = only("Bearer realm=example, error=insufficient_scope,x=1.0");
        assertEquals(Map.of("realm", "example", "error", "insufficient_scope", "x", "1.0"), c.params());
    }

    @Test
    void parseAll_schemeAndParamNames_caseInsensitive() {
        Challenge c = only("BEARER REALM=\"https://A.example/Token\", Service=\"Reg\"");

        assertEquals("bearer", c.scheme());
        assertEquals(Map.of("realm", "https://A.example/Token", "service", "Reg"), c.params());
        assertEquals("Reg", c.param("SERVICE"));
        assertEquals("https://A.example/Token", c.param("Realm"));
        assertNull(c.param("scope"));
    }

    @Test
    void parseAll_schemeWithoutParamsFollowedByChallenge_bothParsed() {
        assertEquals(List.of(
                new Challenge("negotiate", Map.of()),
                new Challenge("basic", Map.of("realm", "x"))), Challenge.parseAll("Negotiate, Basic realm=\"x\""));
    }

    @Test
    void parseAll_paramsFollowedBySchemeOnly_bothParsed() {
        assertEquals(List.of(
                new Challenge("basic", Map.of("realm", "x")),
                new Challenge("negotiate", Map.of())), Challenge.parseAll("Basic realm=\"x\", Negotiate"));
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
            "Negotiate abc123==        | abc123==",
            "Negotiate abc123          | abc123",
            "Negotiate a-b.c_d~e+f/g=  | a-b.c_d~e+f/g=",
            "NTLM TlRMTVNTUAABAAAAB4IIog== | TlRMTVNTUAABAAAAB4IIog=="})
    void parseAll_token68_keptUnderEmptyName(String header, String token) {
        Challenge c = only(header);
        assertEquals(Map.of("", token), c.params());
    }

    @Test
    void parseAll_token68FollowedByChallenge_bothParsed() {
        assertEquals(List.of(
                new Challenge("negotiate", Map.of("", "abc==")),
                new Challenge("basic", Map.of("realm", "x"))), Challenge.parseAll("Negotiate abc==, Basic realm=\"x\""));
    }

    @Test
    void parseAll_challengeFollowedByToken68Challenge_bothParsed() {
        assertEquals(List.of(
                new Challenge("basic", Map.of("realm", "x")),
                new Challenge("negotiate", Map.of("", "abc=="))), Challenge.parseAll("Basic realm=\"x\", Negotiate abc=="));
    }

    @Test
    void parseAll_extraWhitespaceAndEmptyListElements_ignored() {
        List<Challenge> all = Challenge.parseAll(
                " ,\t, Basic \t realm = \"a\" ,, ,\tcharset=\"UTF-8\" , ,Bearer   realm=\"b\"\t,service=c , , ");

        assertEquals(List.of(
                new Challenge("basic", Map.of("realm", "a", "charset", "UTF-8")),
                new Challenge("bearer", Map.of("realm", "b", "service", "c"))), all);
    }

    @Test
    void parseAll_schemeOnly_noParams() {
        assertEquals(new Challenge("bearer", Map.of()), only("Bearer"));
        assertEquals(new Challenge("bearer", Map.of()), only("  Bearer  "));
    }

    @Test
    void challenge_paramsImmutableAndSchemeLowercased() {
        Challenge c = new Challenge("Bearer", new java.util.HashMap<>(Map.of("realm", "x")));
        assertEquals("bearer", c.scheme());
        assertThrows(UnsupportedOperationException.class, () -> c.params().put("realm", "y"));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {
            "Bearer realm=\"abc",
            "Bearer realm=\"abc\\\"",
            "Bearer realm=\"abc\\",
            "=x",
            "Bearer =x",
            "realm=\"x\"",
            "Bearer realm=\"x\" service=\"y\"",
            "Bearer realm=\"x\"; service=\"y\"",
            "Bearer realm=\"x\", service=",
            "Bearer realm=a b",
            "Bearer realm=https://auth.example/token",
            "Negotiate abc==def",
            "Negotiate =",
            "Negotiate ==, Basic realm=\"x\"",
            "Negotiate abc== xyz",
            "Negotiate abc==, realm=\"x\"",
            "Bearer\"x\"",
            "\"Bearer\"",
            "",
            "   ",
            " , , ",
            "B\u00e9arer realm=\"x\""})
    void parseAll_malformed_rejected(String header) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Challenge.parseAll(header));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank());
    }

    @Test
    void parseAll_unterminatedQuote_saysSo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Challenge.parseAll("Bearer realm=\"https://auth.docker.io/token"));
        assertEquals("unterminated quoted string in WWW-Authenticate value", e.getMessage());
    }

    @Test
    void parseAll_bareParamWithoutScheme_rejectedAsMissingSpaceAfterScheme() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Challenge.parseAll("realm=\"x\""));
        assertEquals("expected a space after auth-scheme 'realm'", e.getMessage());
    }

    @Test
    void parseAll_leadingEquals_rejectedAsMissingScheme() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Challenge.parseAll("=x"));
        assertEquals("expected an auth-scheme at position 0", e.getMessage());
    }

    @Test
    void parseAll_null_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Challenge.parseAll(null));
        assertEquals("no WWW-Authenticate value", e.getMessage());
    }

    @Test
    void parseAll_emptyValue_rejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Challenge.parseAll(""));
        assertEquals("no challenge in WWW-Authenticate value", e.getMessage());
    }

    @Test
    void parseAll_longerThan8192Characters_rejected() {
        String header = "Bearer realm=\"" + "a".repeat(8192) + "\"";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Challenge.parseAll(header));
        assertEquals("WWW-Authenticate value longer than 8192 characters", e.getMessage());
    }

    @Test
    void parseAll_exactly8192Characters_accepted() {
        String prefix = "Bearer realm=\"";
        String header = prefix + "a".repeat(8192 - prefix.length() - 1) + "\"";
        assertEquals(8192, header.length());
        assertEquals(8192 - prefix.length() - 1, only(header).param("realm").length());
    }
}
