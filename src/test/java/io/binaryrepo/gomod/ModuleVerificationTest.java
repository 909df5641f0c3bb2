package io.binaryrepo.gomod;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.testing.ComponentTest;
import io.binaryrepo.testing.FakeUpstream;
import io.binaryrepo.testing.FakeUpstream.Route;
import io.binaryrepo.testing.ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code .mod} and {@code .zip} checked against the checksum database record binaryrepo proxies (issue 17):
 * the expected {@code h1:} values are computed here by an independent implementation of Go's
 * {@code dirhash.Hash1} (over {@link ZipFile}, the JDK's reader), never by binaryrepo's code. A mismatch is a
 * 502 in Go's plain-text style with nothing cached; a database that does not know the module (404), a module
 * matching {@code noSumdb} and {@code sumdb: off} are cached after the length check alone.
 */
class ModuleVerificationTest extends ComponentTest {
    private static final String DB = "sum.golang.org";
    private static final String MOD = "example.com/checked";
    private static final String LOOKUP = "/sumdb/" + DB + "/lookup/" + MOD + "@v1.0.0";
    private static final String ZIP = "/" + MOD + "/@v/v1.0.0.zip";
    private static final String GOMOD = "/" + MOD + "/@v/v1.0.0.mod";

    private FakeUpstream up;
    private byte[] zip;
    private final byte[] gomod = ("module " + MOD + "\n\ngo 1.19\n").getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void upstreamModule() throws Exception {
        up = closeAfter(FakeUpstream.start());
        zip = moduleZip("package checked\n\nconst Answer = 42\n");
        up.put(ZIP, Route.ok(zip, "application/zip"));
        up.put(GOMOD, Route.ok(gomod, "text/plain; charset=utf-8"));
    }

    private ProxyServer proxy(String extra) throws Exception {
        return proxy(tmp.resolve("cache"), "repositories:\n  - name: go\n    type: go\n    url: " + up.url()
                + "\n    readTimeout: 5s\n" + extra);
    }

    private void record(String zipHash, String modHash) {
        up.put(LOOKUP, Route.ok("4711\n" + MOD + " v1.0.0 " + zipHash + "\n" + MOD + " v1.0.0/go.mod " + modHash
                + "\n\ngo.sum database tree\n4712\nAAAA\n\n\u2014 " + DB + " signature\n", "text/plain; charset=utf-8"));
    }

    @Test
    void zipAndModMatchingTheRecord_servedAndCached() throws Exception {
        record(hash1Zip(zip), hash1Mod(gomod));
        ProxyServer p = proxy("");
        HttpResponse<byte[]> z = get(p, "/repo/go" + ZIP);
        assertEquals(200, z.statusCode(), new String(z.body(), StandardCharsets.UTF_8));
        assertArrayEquals(zip, z.body());
        HttpResponse<byte[]> m = get(p, "/repo/go" + GOMOD);
        assertEquals(200, m.statusCode());
        assertArrayEquals(gomod, m.body());
        assertEquals(List.of("v1.0.0.mod", "v1.0.0.zip"), cached());
        assertEquals(1, up.count("GET", LOOKUP), "one lookup, kept by the document cache");
    }

    @Test
    void zipNotMatchingTheRecord_502InPlainText_notCached() throws Exception {
        record(hash1Zip(moduleZip("package checked\n\nconst Answer = 43\n")), hash1Mod(gomod));
        ProxyServer p = proxy("");
        for (int i = 0; i < 2; i++) {
            HttpResponse<byte[]> r = get(p, "/repo/go" + ZIP);
            String body = new String(r.body(), StandardCharsets.UTF_8);
            assertEquals(502, r.statusCode(), body);
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), body);
            assertTrue(body.contains("checksum database " + DB), body);
        }
        assertEquals(2, up.count("GET", ZIP), "the refused zip was not cached: asked again");
        assertEquals(List.of(), cached());
        assertSpoolEmpty(tmp.resolve("cache"));
    }

    @Test
    void modNotMatchingTheRecord_502_notCached() throws Exception {
        record(hash1Zip(zip), hash1Mod("module example.com/other\n".getBytes(StandardCharsets.UTF_8)));
        ProxyServer p = proxy("");
        HttpResponse<byte[]> r = get(p, "/repo/go" + GOMOD);
        assertEquals(502, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(List.of(), cached());
    }

    @Test
    void corruptZipEntry_502EvenIfTheCentralDirectoryLooksRight() throws Exception {
        record(hash1Zip(zip), hash1Mod(gomod));
        byte[] broken = zip.clone();
        // inside the first entry's data (after its local header and name): its CRC-32 no longer matches
        int data = 30 + (broken[26] & 0xff) + ((broken[27] & 0xff) << 8) + (broken[28] & 0xff) + ((broken[29] & 0xff) << 8);
        broken[data + 2] ^= 0x55;
        up.put(ZIP, Route.ok(broken, "application/zip"));
        HttpResponse<byte[]> r = get(proxy(""), "/repo/go" + ZIP);
        assertEquals(502, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals(List.of(), cached());
    }

    @Test
    void databaseWithoutARecord_cachedUnverified() throws Exception {
        up.put(LOOKUP, Route.status(404));
        ProxyServer p = proxy("");
        HttpResponse<byte[]> z = get(p, "/repo/go" + ZIP);
        assertEquals(200, z.statusCode());
        assertArrayEquals(zip, z.body());
        assertEquals(List.of("v1.0.0.zip"), cached());
        assertEquals(1, up.count("GET", LOOKUP));
    }

    @Test
    void databaseFailing_502_notCached() throws Exception {
        up.put(LOOKUP, Route.status(500));
        HttpResponse<byte[]> r = get(proxy(""), "/repo/go" + ZIP);
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertEquals(502, r.statusCode(), body);
        assertTrue(body.contains("cannot verify"), body);
        assertEquals(List.of(), cached());
    }

    @Test
    void noSumdbPatternOrSumdbOff_notLookedUp_cached() throws Exception {
        record("h1:wrongwrongwrongwrongwrongwrongwrongwrongwro=", "h1:wrong=");
        ProxyServer p = proxy("    noSumdb: [\"example.com/check*\", \"corp.example\"]\n");
        assertArrayEquals(zip, get(p, "/repo/go" + ZIP).body());
        assertArrayEquals(gomod, get(p, "/repo/go" + GOMOD).body());
        assertEquals(0, up.count("GET", LOOKUP));
        assertEquals(List.of("v1.0.0.mod", "v1.0.0.zip"), cached());
    }

    @Test
    void sumdbOff_notLookedUp() throws Exception {
        record("h1:wrongwrongwrongwrongwrongwrongwrongwrongwro=", "h1:wrong=");
        ProxyServer p = proxy("    sumdb: off\n");
        assertEquals(200, get(p, "/repo/go" + ZIP).statusCode());
        assertEquals(0, up.count("GET", LOOKUP));
    }

    @Test
    void recordOfAnotherDatabaseName_usedWhenConfigured() throws Exception {
        String other = "sum.corp.example";
        up.put("/sumdb/" + other + "/lookup/" + MOD + "@v1.0.0", Route.ok("1\n" + MOD + " v1.0.0 h1:AAAA\n" + MOD
                + " v1.0.0/go.mod " + hash1Mod(gomod) + "\n\n", "text/plain"));
        ProxyServer p = proxy("    sumdb: " + other + "\n");
        assertEquals(200, get(p, "/repo/go" + GOMOD).statusCode());
        assertEquals(502, get(p, "/repo/go" + ZIP).statusCode());
        assertEquals(0, up.count("GET", LOOKUP), "the default database was not asked");
    }

    /** The cached module files' names. */
    private List<String> cached() throws IOException {
        Path cache = tmp.resolve("cache/go");
        if (!Files.exists(cache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(Files::isRegularFile).map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".zip") || n.endsWith(".mod")).sorted().toList();
        }
    }

    /** A module zip as the go command lays it out: {@code <module>@<version>/} before every file. */
    private static byte[] moduleZip(String code) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            String root = MOD + "@v1.0.0/";
            z.putNextEntry(new ZipEntry(root + "go.mod"));
            z.write(("module " + MOD + "\n\ngo 1.19\n").getBytes(StandardCharsets.UTF_8));
            z.putNextEntry(new ZipEntry(root + "checked.go"));
            z.write(code.getBytes(StandardCharsets.UTF_8));
            ZipEntry stored = new ZipEntry(root + "LICENSE");
            byte[] license = "MIT\n".getBytes(StandardCharsets.UTF_8);
            stored.setMethod(ZipEntry.STORED);
            stored.setSize(license.length);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(license);
            stored.setCrc(crc.getValue());
            z.putNextEntry(stored);
            z.write(license);
        }
        return out.toByteArray();
    }

    /** dirhash.HashZip with Hash1, over the JDK's zip reader. */
    private String hash1Zip(byte[] zipBytes) throws Exception {
        Path f = Files.createTempFile(tmp, "m", ".zip");
        Files.write(f, zipBytes);
        List<String> lines = new ArrayList<>();
        try (ZipFile z = new ZipFile(f.toFile())) {
            for (ZipEntry e : Collections.list(z.entries())) {
                try (InputStream in = z.getInputStream(e)) {
                    lines.add(sha256Hex(in.readAllBytes()) + "  " + e.getName() + "\n");
                }
            }
        }
        Collections.sort(lines, (a, b) -> a.substring(66).compareTo(b.substring(66)));
        return "h1:" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(String.join("", lines).getBytes(StandardCharsets.UTF_8)));
    }

    private static String hash1Mod(byte[] mod) throws Exception {
        String line = sha256Hex(mod) + "  go.mod\n";
        return "h1:" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(line.getBytes(StandardCharsets.UTF_8)));
    }

    private static String sha256Hex(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
