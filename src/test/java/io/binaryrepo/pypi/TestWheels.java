package io.binaryrepo.pypi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Small real wheels (PEP 427), built in memory for tests: pip installs them. */
public final class TestWheels {
    private TestWheels() {
    }

    /** A built wheel: its file name, bytes and core metadata (what {@code <file>.metadata} serves). */
    public record Wheel(String fileName, byte[] bytes, byte[] metadata) {
        public String sha256() {
            return hex(bytes);
        }

        public String metadataSha256() {
            return hex(metadata);
        }
    }

    /**
     * A pure-Python wheel of {@code name} {@code version} with a module {@code name} whose {@code VERSION} is
     * the version, requiring {@code requires} (PEP 508 requirement strings).
     */
    public static Wheel wheel(String name, String version, List<String> requires) {
        StringBuilder meta = new StringBuilder("Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version
                + "\nRequires-Python: >=3.8\n");
        for (String r : requires) {
            meta.append("Requires-Dist: ").append(r).append('\n');
        }
        byte[] metadata = meta.toString().getBytes(StandardCharsets.UTF_8);
        String distInfo = name + "-" + version + ".dist-info/";
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put(name + "/__init__.py", ("VERSION = '" + version + "'\n").getBytes(StandardCharsets.UTF_8));
        files.put(distInfo + "METADATA", metadata);
        files.put(distInfo + "WHEEL", ("Wheel-Version: 1.0\nGenerator: binaryrepo-tests\nRoot-Is-Purelib: true\n"
                + "Tag: py3-none-any\n").getBytes(StandardCharsets.UTF_8));
        StringBuilder record = new StringBuilder();
        files.forEach((path, data) -> record.append(path).append(",sha256=").append(Base64.getUrlEncoder()
                .withoutPadding().encodeToString(digest(data))).append(',').append(data.length).append('\n'));
        record.append(distInfo).append("RECORD,,\n");
        files.put(distInfo + "RECORD", record.toString().getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Wheel(name + "-" + version + "-py3-none-any.whl", out.toByteArray(), metadata);
    }

    public static String hex(byte[] data) {
        return HexFormat.of().formatHex(digest(data));
    }

    private static byte[] digest(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
