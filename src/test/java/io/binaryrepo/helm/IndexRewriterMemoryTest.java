package io.binaryrepo.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rewrite of a 30 MB index in a JVM whose whole heap (24 MB) is smaller than the document: it can
 * only pass if the index is streamed, never held. The generated document ({@link LargeIndex}) is never
 * held either.
 */
class IndexRewriterMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void thirtyMegabyteIndex_isRewrittenInA24MegabyteHeap() throws Exception {
        long size = 30L * 1024 * 1024;
        Path out = tmp.resolve("out.txt");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx24m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), IndexRewriterMemoryMain.class.getName(),
                Long.toString(size))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        String result = Files.readString(out);
        assertEquals(0, p.exitValue(), result);
        List<String> line = List.of(result.trim().split("\\s+"));
        long written = Long.parseLong(value(line, "written"));
        assertTrue(written > size, result);
        assertTrue(Long.parseLong(value(line, "proxied")) > 50_000, "every entry's URL was rewritten: " + result);
        assertEquals(value(line, "entries"), value(line, "proxied"), result);
        // The only buffer that grows with the input is the held-back text: one entry at most.
        assertTrue(Long.parseLong(value(line, "maxHeldChars")) < 16 * 1024, result);
        System.getLogger(getClass().getName()).log(System.Logger.Level.INFO, "30 MiB index in -Xmx24m: " + result.trim());
    }

    private static String value(List<String> fields, String name) {
        return fields.stream().filter(f -> f.startsWith(name + "=")).findFirst().orElseThrow().substring(name.length() + 1);
    }
}
