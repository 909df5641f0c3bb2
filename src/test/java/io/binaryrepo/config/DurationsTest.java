package io.binaryrepo.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("500ms", Duration.ofMillis(500)),
                Arguments.of("30s", Duration.ofSeconds(30)),
                Arguments.of("5m", Duration.ofMinutes(5)),
                Arguments.of("2h", Duration.ofHours(2)),
                Arguments.of("7d", Duration.ofDays(7)),
                Arguments.of("0", Duration.ZERO),
                Arguments.of("0s", Duration.ZERO),
                Arguments.of("PT5M", Duration.ofMinutes(5)),
                Arguments.of("pt5m", Duration.ofMinutes(5)),
                Arguments.of("P1DT2H", Duration.ofHours(26)),
                Arguments.of("  5m  ", Duration.ofMinutes(5)),
                Arguments.of("999999999d", Duration.ofDays(999_999_999)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("valid")
    void parse_validText_givesDuration(String text, Duration expected) {
        assertEquals(expected, Durations.parse(text));
    }

    @ParameterizedTest(name = "[{0}]")
    @NullSource
    @ValueSource(strings = {"", "   ", "\t"})
    void parse_emptyOrNull_rejectedAsEmpty(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().startsWith("empty duration"), e.getMessage());
        assertTrue(e.getMessage().contains("30s") && e.getMessage().contains("PT5M"), e.getMessage());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"5", "-5m", "5 min", "5y", "5M", "m", "1.5h", "-PT5M", "P1Y", "PTxM", "00", "1234567890s",
            "5ms5"})
    void parse_malformed_rejectedWithTextAndAcceptedForms(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains("malformed duration '" + text + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("ms, s, m, h, d"), e.getMessage());
        assertTrue(e.getMessage().contains("PT5M"), e.getMessage());
    }

    @Test
    void parse_negativeIso_rejectedAsNegative() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("PT-5M"));
        assertEquals("negative duration 'PT-5M'", e.getMessage());
    }
}
