package io.binaryrepo.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rewrite of a 40 MiB project page, HTML and JSON, in a JVM whose whole heap (24 MiB) is smaller than the
 * page: it can only pass if the page is streamed (one anchor or one {@code files} entry at a time), never held
 * as a document or a tree. (Stored pages are held as bytes by the document cache, within its own budget; this
 * bounds what the rewrite itself costs.)
 */
class PageRewriteMemoryTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"html", "json"})
    void fortyMegabytePage_isRewrittenInA24MegabyteHeap(String form) throws Exception {
        long size = 40L * 1024 * 1024;
        Path out = tmp.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx24m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), PageRewriteMemoryMain.class.getName(),
                form, Long.toString(size))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "finished");
        String result = Files.readString(out);
        assertEquals(0, p.exitValue(), result);
        List<String> fields = List.of(result.trim().split("\\s+"));
        assertTrue(Long.parseLong(value(fields, "written")) > size, result);
        assertTrue(Long.parseLong(value(fields, "entries")) > 100_000, result);
        assertEquals(value(fields, "entries"), value(fields, "proxied"), "every link rewritten: " + result);
    }

    private static String value(List<String> fields, String name) {
        return fields.stream().filter(f -> f.startsWith(name + "=")).findFirst().orElseThrow().substring(name.length() + 1);
    }
}
