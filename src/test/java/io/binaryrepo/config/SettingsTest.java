package io.binaryrepo.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SettingsTest {

    private static Settings settings(Map<String, String> context, Map<String, String> system) {
        return new Settings(context::get, system::get);
    }

    @Test
    void get_systemPropertyAndContextParam_systemPropertyWins() {
        Settings s = settings(Map.of(Settings.PUBLIC_URL, "https://context.example"),
                Map.of(Settings.PUBLIC_URL, "https://system.example"));
        assertEquals(Optional.of("https://system.example"), s.get(Settings.PUBLIC_URL));
    }

    @Test
    void get_onlyContextParam_usedTrimmed() {
        Settings s = settings(Map.of(Settings.PUBLIC_URL, "  https://context.example \n"), Map.of());
        assertEquals(Optional.of("https://context.example"), s.get(Settings.PUBLIC_URL));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", " ", "\t\n"})
    void get_blankSystemProperty_fallsBackToContextParam(String blank) {
        Settings s = settings(Map.of(Settings.CONFIG, "/etc/repos.yaml"), Map.of(Settings.CONFIG, blank));
        assertEquals(Optional.of("/etc/repos.yaml"), s.get(Settings.CONFIG));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"", " ", "\t\n"})
    void get_blankEverywhere_isAbsent(String blank) {
        Settings s = settings(Map.of(Settings.CONFIG, blank), Map.of(Settings.CONFIG, blank));
        assertEquals(Optional.empty(), s.get(Settings.CONFIG));
    }

    @Test
    void get_unset_isAbsent() {
        assertEquals(Optional.empty(), settings(Map.of(), Map.of()).get(Settings.PUBLIC_URL));
    }

    @Test
    void storageDir_unset_isAbsoluteDataDirectory() {
        Path dir = settings(Map.of(), Map.of()).storageDir();
        assertTrue(dir.isAbsolute(), dir.toString());
        assertEquals(Path.of("data").toAbsolutePath().normalize(), dir);
    }

    @Test
    void storageDir_relativeWithDots_madeAbsoluteAndNormalized() {
        Map<String, String> sys = new HashMap<>();
        sys.put(Settings.STORAGE_DIR, "cache/./x/../store");
        Path dir = settings(Map.of(Settings.STORAGE_DIR, "/ignored"), sys).storageDir();
        assertEquals(Path.of("cache/store").toAbsolutePath(), dir);
    }

    @Test
    void storageDir_absoluteContextParam_used() {
        Path dir = settings(Map.of(Settings.STORAGE_DIR, "/var/cache/binaryrepo/"), Map.of()).storageDir();
        assertEquals(Path.of("/var/cache/binaryrepo"), dir);
    }

    @Test
    void configFile_unset_isEmpty() {
        assertEquals(Optional.empty(), settings(Map.of(), Map.of()).configFile());
        assertEquals(Optional.empty(), settings(Map.of(Settings.CONFIG, " "), Map.of()).configFile());
    }

    @Test
    void configFile_set_isAbsoluteNormalizedPath() {
        Optional<Path> f = settings(Map.of(), Map.of(Settings.CONFIG, "conf/../repos.yaml")).configFile();
        assertEquals(Optional.of(Path.of("repos.yaml").toAbsolutePath()), f);
    }

    @Test
    void names_areTheDocumentedKeys() {
        assertEquals("binaryrepo.storage.dir", Settings.STORAGE_DIR);
        assertEquals("binaryrepo.config", Settings.CONFIG);
        assertEquals("binaryrepo.publicUrl", Settings.PUBLIC_URL);
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"0=0", "500000=500000", "1B=1", "64KiB=65536", "256MiB=268435456", "200GiB=214748364800",
            "2 TiB=2199023255552"})
    void bytes_countWithOptionalBinaryUnit(String pair) {
        String[] p = pair.split("=");
        Settings s = settings(Map.of(Settings.DOWNLOAD_ABANDON_LIMIT, p[0]), Map.of());
        assertEquals(Long.parseLong(p[1]), s.bytes(Settings.DOWNLOAD_ABANDON_LIMIT, 7));
    }

    @Test
    void bytes_unset_default() {
        assertEquals(7, settings(Map.of(), Map.of()).bytes(Settings.DOWNLOAD_ABANDON_LIMIT, 7));
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"lots", "-1", "1.5GiB", "10MB", "5 kib", "99999999999999999999", "9000000000TiB"})
    void bytes_notAByteCount_stopsNamingTheParameter(String value) {
        Settings s = settings(Map.of(Settings.DOWNLOAD_ABANDON_LIMIT, value), Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> s.bytes(Settings.DOWNLOAD_ABANDON_LIMIT, 7));
        assertTrue(e.getMessage().contains("binaryrepo.download.abandonLimit is '" + value + "'"), e.getMessage());
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(strings = {"0", "-3", "x", "1e3", "12345678901"})
    void positiveInt_invalid_stopsNamingTheParameter(String value) {
        Settings s = settings(Map.of(Settings.DOWNLOAD_MAX_CONCURRENT, value), Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> s.positiveInt(Settings.DOWNLOAD_MAX_CONCURRENT, 64));
        assertTrue(e.getMessage().contains("binaryrepo.download.maxConcurrent is '" + value + "'"), e.getMessage());
    }

    @Test
    void positiveInt_setOrDefault() {
        assertEquals(8, settings(Map.of(Settings.DOWNLOAD_MAX_CONCURRENT, "8"), Map.of())
                .positiveInt(Settings.DOWNLOAD_MAX_CONCURRENT, 64));
        assertEquals(64, settings(Map.of(), Map.of()).positiveInt(Settings.DOWNLOAD_MAX_CONCURRENT, 64));
    }
}
