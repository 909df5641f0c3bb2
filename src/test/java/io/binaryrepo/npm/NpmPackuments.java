package io.binaryrepo.npm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds packuments and tarballs for component tests: versions with real {@code dist.integrity} (sha512) or
 * only {@code shasum} (sha1) of the tarball bytes, tarball URLs on a given upstream. Not thread-safe.
 */
final class NpmPackuments {
    private final String name;
    private final String upstream;
    private final Map<String, byte[]> tarballs = new LinkedHashMap<>();
    private final Map<String, Boolean> shasumOnly = new LinkedHashMap<>();

    NpmPackuments(String name, String upstream) {
        this.name = name;
        this.upstream = upstream;
    }

    NpmPackuments version(String version, byte[] tarball) {
        tarballs.put(version, tarball);
        shasumOnly.put(version, false);
        return this;
    }

    /** A version whose dist has only the (older) SHA-1 shasum. */
    NpmPackuments versionWithShasumOnly(String version, byte[] tarball) {
        tarballs.put(version, tarball);
        shasumOnly.put(version, true);
        return this;
    }

    String bare() {
        return name.contains("/") ? name.substring(name.indexOf('/') + 1) : name;
    }

    /** The packument's path as npm asks for it: {@code @s%2fdemo} or {@code demo}. */
    String packumentPath() {
        return name.replace("/", "%2f");
    }

    java.util.Set<String> versions() {
        return tarballs.keySet();
    }

    /** {@code @s/demo/-/demo-1.0.0.tgz} */
    String tarballPath(String version) {
        return name + "/-/" + bare() + "-" + version + ".tgz";
    }

    byte[] tarball(String version) {
        return tarballs.get(version);
    }

    String json() {
        StringBuilder v = new StringBuilder();
        String latest = null;
        for (Map.Entry<String, byte[]> e : tarballs.entrySet()) {
            latest = e.getKey();
            if (v.length() > 0) {
                v.append(',');
            }
            String dist = "\"tarball\":\"" + upstream + "/" + tarballPath(e.getKey()) + "\",\"shasum\":\""
                    + HexFormat.of().formatHex(digest("SHA-1", e.getValue())) + "\"";
            if (!shasumOnly.get(e.getKey())) {
                dist += ",\"integrity\":\"sha512-" + Base64.getEncoder().encodeToString(digest("SHA-512", e.getValue()))
                        + "\"";
            }
            v.append('"').append(e.getKey()).append("\":{\"name\":\"").append(name).append("\",\"version\":\"")
                    .append(e.getKey()).append("\",\"readme\":\"a long readme\",\"dependencies\":{},\"dist\":{")
                    .append(dist).append("}}");
        }
        return "{\"_id\":\"" + name + "\",\"name\":\"" + name + "\",\"description\":\"test package\","
                + "\"dist-tags\":{\"latest\":\"" + latest + "\"},\"versions\":{" + v + "},"
                + "\"time\":{\"modified\":\"2024-01-01T00:00:00.000Z\"},\"readme\":\"top readme\"}";
    }

    byte[] bytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] digest(String alg, byte[] b) {
        try {
            return MessageDigest.getInstance(alg).digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
