package io.binaryrepo.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A 40 MB packument rewritten (full) and abbreviated in a JVM whose whole heap (16 MB) is less than half
 * the document: it passes only if the document is streamed token by token, never held as bytes or a tree.
 */
class PackumentMemoryTest {
    private static final long SIZE = 40L * 1024 * 1024;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(Variant.class)
    void fortyMegabytePackument_isWrittenInA16MegabyteHeap(Variant variant) throws Exception {
        Path out = tmp.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx16m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), PackumentMemoryMain.class.getName(),
                Long.toString(SIZE), variant.name())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "finished");
        String result = Files.readString(out);
        assertEquals(0, p.exitValue(), result);
        List<String> fields = List.of(result.trim().split("\\s+"));
        int versions = Integer.parseInt(value(fields, "versions"));
        assertTrue(versions > 10_000, result);
        assertEquals(value(fields, "generated"), value(fields, "versions"), result);
        assertEquals(versions, Integer.parseInt(value(fields, "rewritten")), "every tarball rewritten: " + result);
        long written = Long.parseLong(value(fields, "written"));
        assertTrue(variant == Variant.FULL ? written > SIZE : written < SIZE / 2, result);
        assertTrue(Long.parseLong(value(fields, "peakHeapBytes")) < 16L * 1024 * 1024, result);
        System.getLogger(getClass().getName()).log(System.Logger.Level.INFO,
                "40 MiB packument, " + variant + ", -Xmx16m: " + result.trim());
    }

    private static String value(List<String> fields, String name) {
        return fields.stream().filter(f -> f.startsWith(name + "=")).findFirst().orElseThrow()
                .substring(name.length() + 1);
    }
}
