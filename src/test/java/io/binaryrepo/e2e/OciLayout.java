package io.binaryrepo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads an OCI image layout directory (as written by {@code skopeo copy ... oci:DIR} or umoci). */
public final class OciLayout {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OciLayout() {
    }

    /** {@code sha256:<hex>} of {@code bytes}. */
    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The parsed {@code index.json} of the layout. */
    public static JsonNode indexJson(Path layout) {
        return parse(read(layout.resolve("index.json")));
    }

    /** Path of the blob {@code digest} ({@code blobs/<alg>/<hex>}), whether present or not. */
    public static Path blobPath(Path layout, String digest) {
        int colon = digest.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("not a digest: " + digest);
        }
        return layout.resolve("blobs").resolve(digest.substring(0, colon)).resolve(digest.substring(colon + 1));
    }

    /**
     * The bytes of blob {@code digest}.
     *
     * @throws AssertionError when it is missing or its content does not hash to {@code digest}
     */
    public static byte[] blob(Path layout, String digest) {
        Path p = blobPath(layout, digest);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("blob " + digest + " missing from OCI layout " + layout);
        }
        byte[] bytes = read(p);
        String actual = sha256(bytes);
        if (!actual.equals(digest)) {
            throw new AssertionError("blob " + digest + " in " + layout + " hashes to " + actual);
        }
        return bytes;
    }

    /** Blob {@code digest} parsed as JSON (a manifest, index or config), hash-checked. */
    public static JsonNode blobJson(Path layout, String digest) {
        return parse(blob(layout, digest));
    }

    /**
     * The children of image index {@code indexDigest}, as {@code "os/architecture"} (plus
     * {@code "/variant"} when present) to manifest digest, in index order. Checks that each
     * child manifest, its config and its layers are present with the right hashes.
     */
    public static Map<String, String> platformManifests(Path layout, String indexDigest) {
        Map<String, String> result = new LinkedHashMap<>();
        for (JsonNode m : blobJson(layout, indexDigest).path("manifests")) {
            JsonNode platform = m.path("platform");
            String key = platform.path("os").asText() + "/" + platform.path("architecture").asText()
                    + (platform.hasNonNull("variant") ? "/" + platform.get("variant").asText() : "");
            String digest = m.path("digest").asText();
            verifyImage(layout, digest);
            result.put(key, digest);
        }
        return result;
    }

    /**
     * Checks that manifest {@code manifestDigest}, its config and all its layers are in the
     * layout with the right hashes.
     *
     * @return the parsed manifest
     * @throws AssertionError otherwise
     */
    public static JsonNode verifyImage(Path layout, String manifestDigest) {
        JsonNode manifest = blobJson(layout, manifestDigest);
        blob(layout, manifest.path("config").path("digest").asText());
        for (JsonNode layer : manifest.path("layers")) {
            verifyBlobFile(layout, layer.path("digest").asText(), layer.path("size").asLong());
        }
        return manifest;
    }

    private static void verifyBlobFile(Path layout, String digest, long size) {
        Path p = blobPath(layout, digest);
        try {
            if (!Files.isRegularFile(p) || Files.size(p) != size) {
                throw new AssertionError("layer " + digest + " missing or not " + size + " bytes in " + layout);
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = new java.security.DigestInputStream(Files.newInputStream(p), md)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            String actual = "sha256:" + HexFormat.of().formatHex(md.digest());
            if (!actual.equals(digest)) {
                throw new AssertionError("layer " + digest + " in " + layout + " hashes to " + actual);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
