package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ModulePath} against the tables of golang.org/x/mod/module's own tests (module_test.go of
 * v0.7.0: checkPathTests' module column, escapeTests, badUnescape), so the port keeps Go's verdicts.
 */
class ModulePathTest {

    static Stream<Arguments> checkPathTests() {
        return Stream.of(
                ok("x.y/z"), ok("x.y"),
                bad(""), bad("/x.y/z"), bad("x./z"), bad(".x/z"), bad("-x/z"), ok("x..y/z"),
                bad("x.y/z/../../w"), bad("x.y//z"), bad("x.y/z//w"), bad("x.y/z/"),
                bad("x.y/z/v0"), bad("x.y/z/v1"), ok("x.y/z/v2"), bad("x.y/z/v2.0"), bad("X.y/z"),
                bad("!x.y/z"), bad("_x.y/z"), bad("x.y!/z"), bad("x.y\"/z"), bad("x.y#/z"), bad("x.y$/z"),
                bad("x.y%/z"), bad("x.y&/z"), bad("x.y'/z"), bad("x.y(/z"), bad("x.y)/z"), bad("x.y*/z"),
                bad("x.y+/z"), bad("x.y,/z"), ok("x.y-/z"), bad("x.y./zt"), bad("x.y:/z"), bad("x.y;/z"),
                bad("x.y</z"), bad("x.y=/z"), bad("x.y>/z"), bad("x.y?/z"), bad("x.y@/z"), bad("x.y[/z"),
                bad("x.y\\/z"), bad("x.y]/z"), bad("x.y^/z"), bad("x.y_/z"), bad("x.y`/z"), bad("x.y{/z"),
                bad("x.y}/z"), bad("x.y~/z"),
                bad("x.y/z!"), bad("x.y/z\""), bad("x.y/z#"), bad("x.y/z$"), bad("x.y/z%"), bad("x.y/z&"),
                bad("x.y/z'"), bad("x.y/z("), bad("x.y/z)"), bad("x.y/z*"), bad("x.y/z++"), bad("x.y/z,"),
                ok("x.y/z-"), ok("x.y/z.t"), ok("x.y/z/t"), bad("x.y/z:"), bad("x.y/z;"), bad("x.y/z<"),
                bad("x.y/z="), bad("x.y/z>"), bad("x.y/z?"), bad("x.y/z@"), bad("x.y/z["), bad("x.y/z\\"),
                bad("x.y/z]"), bad("x.y/z^"), ok("x.y/z_"), bad("x.y/z`"), bad("x.y/z{"), bad("x.y/z}"),
                ok("x.y/z~"), ok("x.y/x.foo"), bad("x.y/aux.foo"), bad("x.y/prn"), ok("x.y/prn2"), ok("x.y/com"),
                bad("x.y/com1"), bad("x.y/com1.txt"), ok("x.y/calm1"), bad("x.y/z~0"), bad("x.y/z~09"),
                ok("x.y/z09"), ok("x.y/z09~"), ok("x.y/z09~09z"), bad("x.y/z09~09z~09"),
                bad("github.com/!123/logrus"), bad("github.com/user/unicode/испытание"),
                bad("../x"), bad("./y"), bad("x:y"), bad("\\temp\\foo"), bad(".gitignore"),
                bad(".github/ISSUE_TEMPLATE"), bad("x☺y"),
                // gopkg.in's own major version convention
                ok("gopkg.in/yaml.v2"), ok("gopkg.in/check.v1"), ok("gopkg.in/src-d/go-git.v4"),
                ok("gopkg.in/mgo.v2-unstable"), bad("gopkg.in/yaml"), bad("gopkg.in/yaml.v01"));
    }

    private static Arguments ok(String path) {
        return Arguments.of(path, true);
    }

    private static Arguments bad(String path) {
        return Arguments.of(path, false);
    }

    @ParameterizedTest
    @MethodSource("checkPathTests")
    void check_agreesWithGoModuleCheckPath(String path, boolean ok) {
        String why = ModulePath.check(path);
        assertEquals(ok, why == null, () -> path + ": " + why);
    }

    @Test
    void escape_writesCapitalsAsBangAndLowercase() {
        assertEquals("ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789",
                ModulePath.escape("ascii.com/abcdefghijklmnopqrstuvwxyz.-/~_0123456789"));
        assertEquals("github.com/!google!cloud!platform/omega", ModulePath.escape("github.com/GoogleCloudPlatform/omega"));
        assertEquals("v1.0.0-!r!c1", ModulePath.escape("v1.0.0-RC1"));
    }

    @Test
    void unescape_invertsEscape() {
        assertEquals("github.com/GoogleCloudPlatform/omega", ModulePath.unescape("github.com/!google!cloud!platform/omega"));
        assertEquals("ascii.com/abc~_.-", ModulePath.unescape("ascii.com/abc~_.-"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"github.com/GoogleCloudPlatform/omega", "github.com/!google!cloud!platform!/omega",
            "github.com/!0google!cloud!platform/omega", "github.com/!_google!cloud!platform/omega",
            "github.com/!!google!cloud!platform/omega", "example.com/caf\u00e9", "example.com/x!"})
    void unescape_refusesWhatIsNoValidEscapedForm(String escaped) {
        assertNull(ModulePath.unescape(escaped));
    }

    @Test
    void splitPathVersion_findsMajorSuffixes() {
        assertEquals("", ModulePath.splitPathVersion("example.com/mod"));
        assertEquals("/v2", ModulePath.splitPathVersion("example.com/mod/v2"));
        assertEquals("/v10", ModulePath.splitPathVersion("example.com/mod/v10"));
        assertEquals(".v1", ModulePath.splitPathVersion("gopkg.in/yaml.v1"));
        assertEquals(".v2-unstable", ModulePath.splitPathVersion("gopkg.in/mgo.v2-unstable"));
        assertNull(ModulePath.splitPathVersion("example.com/mod/v1"));
        assertNull(ModulePath.splitPathVersion("example.com/mod/v02"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1.2.3", "master", "v1.2.3+incompatible", "feature-x_y~z", "HEAD", "v1.0.0-RC1"})
    void checkVersion_acceptsFileNameElements(String version) {
        assertNull(ModulePath.checkVersion(version));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "...", "v1.", "a/b", "a!b", "con", "NUL.txt", "a\\b", "a:b", "a*b", "é"})
    void checkVersion_refusesWhatEscapeVersionRefuses(String version) {
        assertNotNull(ModulePath.checkVersion(version));
    }
}
