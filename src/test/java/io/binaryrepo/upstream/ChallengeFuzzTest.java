package io.binaryrepo.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link Challenge#parseAll} on arbitrary {@code WWW-Authenticate} values: one or more well-formed
 * challenges, or an {@link IllegalArgumentException}; nothing else. What it parses, written back out in
 * canonical form, parses to the same challenges. Regression inputs (UTF-8 text):
 * {@code src/test/resources/io/binaryrepo/upstream/ChallengeFuzzTestInputs/parseAll/}.
 */
class ChallengeFuzzTest {

    @FuzzTest
    void parseAll(FuzzedDataProvider data) {
        String header = data.consumeRemainingAsString();
        List<Challenge> challenges;
        try {
            challenges = Challenge.parseAll(header);
        } catch (IllegalArgumentException e) {
            return;
        }
        assertFalse(challenges.isEmpty(), header);
        for (Challenge c : challenges) {
            assertTrue(isToken(c.scheme()), () -> "scheme '" + c.scheme() + "' of " + header);
            assertEquals(c.scheme().toLowerCase(Locale.ROOT), c.scheme());
            for (Map.Entry<String, String> p : c.params().entrySet()) {
                if (p.getKey().isEmpty()) {
                    assertEquals(1, c.params().size(), () -> "token68 stands alone: " + header);
                    assertTrue(p.getValue().matches("[A-Za-z0-9._~+/-]+=*"), () -> "token68 of " + header);
                } else {
                    assertTrue(isToken(p.getKey()), () -> "param name '" + p.getKey() + "' of " + header);
                    assertEquals(p.getKey().toLowerCase(Locale.ROOT), p.getKey());
                }
            }
        }
        String canonical = write(challenges);
        if (canonical.length() > 8192) {
            return; // quoting made it longer than parseAll accepts (regression input canonical_longer_than_limit)
        }
        assertEquals(challenges, Challenge.parseAll(canonical), () -> header + " written back as " + canonical);
    }

    /** RFC 7235 form: {@code scheme token68} or {@code scheme name="value", ...}, challenges joined by ", ". */
    private static String write(List<Challenge> challenges) {
        StringBuilder b = new StringBuilder();
        for (Challenge c : challenges) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(c.scheme());
            String sep = " ";
            for (Map.Entry<String, String> p : c.params().entrySet()) {
                b.append(sep);
                sep = ", ";
                if (p.getKey().isEmpty()) {
                    b.append(p.getValue());
                } else {
                    b.append(p.getKey()).append("=\"")
                            .append(p.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                }
            }
        }
        return b.toString();
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (char c : s.toCharArray()) {
            if (c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?={} \t".indexOf(c) >= 0) {
                return false;
            }
        }
        return true;
    }
}
