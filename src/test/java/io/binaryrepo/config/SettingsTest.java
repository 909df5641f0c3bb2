package io.binaryrepo.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
