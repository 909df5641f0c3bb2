package io.binaryrepo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs {@code skopeo} against a registry. By default anonymous and without TLS verification
 * ({@code --src-tls-verify=false} / {@code --tls-verify=false}); {@link #withCreds} adds
 * {@code --src-creds}/{@code --creds}, {@link #withCertDir} turns TLS verification on with the
 * CA certificates ({@code *.crt}) of a directory. Ambient credentials (auth.json,
 * ~/.docker/config.json) are never used: {@code REGISTRY_AUTH_FILE} points at a file that does
 * not exist. Instances are immutable.
 */
public final class Skopeo {

    /** Time allowed for one skopeo command. */
    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    private static final Path NO_AUTH_FILE = Path.of(System.getProperty("java.io.tmpdir"),
            "binaryrepo-e2e-no-such-dir", "auth.json");

    private final String creds;
    private final Path certDir;

    private Skopeo(String creds, Path certDir) {
        this.creds = creds;
        this.certDir = certDir;
    }

    /** Anonymous, TLS verification off. */
    public Skopeo() {
        this(null, null);
    }

    /** A copy that sends {@code username:password}. */
    public Skopeo withCreds(String username, String password) {
        return new Skopeo(username + ":" + password, certDir);
    }

    /** A copy that verifies TLS with the CA certificates in {@code dir}. */
    public Skopeo withCertDir(Path dir) {
        return new Skopeo(creds, dir);
    }

    /**
     * {@code skopeo copy --all docker://SRC oci:DIR}: copies an image or a whole index with all
     * its platforms into the OCI layout {@code ociDir} (created if needed).
     *
     * @param srcDockerRef {@code host:port/name:tag} or {@code ...@sha256:...}, with or without
     *     the {@code docker://} prefix
     * @return the digest of the copied top-level manifest or index (from {@code --digestfile})
     * @throws AssertionError with skopeo's output on failure
     */
    public String copyAll(String srcDockerRef, Path ociDir) {
        Path digestFile = tempFile();
        try {
            tryCopyAll(srcDockerRef, ociDir, digestFile).checked();
            return Files.readString(digestFile).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(digestFile);
        }
    }

    /** Like {@link #copyAll} but returns the outcome, failed or not (for asserting refusals). */
    public ExternalProcess.Result tryCopyAll(String srcDockerRef, Path ociDir) {
        return tryCopyAll(srcDockerRef, ociDir, null);
    }

    /**
     * {@code skopeo inspect --raw}: the exact manifest (or index) bytes the registry serves.
     *
     * @throws AssertionError with skopeo's output on failure
     */
    public byte[] inspectRaw(String dockerRef) {
        return tryInspectRaw(dockerRef).checked().stdoutBytes();
    }

    /** Like {@link #inspectRaw} but returns the outcome, failed or not. */
    public ExternalProcess.Result tryInspectRaw(String dockerRef) {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect", "--raw"));
        cmd.addAll(tlsArgs(""));
        if (creds != null) {
            cmd.add("--creds");
            cmd.add(creds);
        }
        cmd.add(docker(dockerRef));
        return run(cmd);
    }

    /**
     * The manifest digest as the registry reports it: sha256 of the {@link #inspectRaw} bytes
     * (for an index, the index's own digest).
     */
    public String inspectDigest(String dockerRef) {
        return OciLayout.sha256(inspectRaw(dockerRef));
    }

    /**
     * Runs {@code skopeo ARGS} as given (no flags added except the isolated auth file).
     */
    public ExternalProcess.Result run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("skopeo");
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    /** The {@code --src-*} (prefix "src-"), {@code --dest-*} ("dest-") or plain ("") TLS flags. */
    List<String> tlsArgs(String prefix) {
        if (certDir == null) {
            return List.of("--" + prefix + "tls-verify=false");
        }
        return List.of("--" + prefix + "tls-verify=true", "--" + prefix + "cert-dir", certDir.toString());
    }

    private ExternalProcess.Result tryCopyAll(String srcDockerRef, Path ociDir, Path digestFile) {
        try {
            Files.createDirectories(ociDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> cmd = new ArrayList<>(List.of("skopeo", "copy", "--all", "--retry-times", "0"));
        cmd.addAll(tlsArgs("src-"));
        if (creds != null) {
            cmd.add("--src-creds");
            cmd.add(creds);
        }
        if (digestFile != null) {
            cmd.add("--digestfile");
            cmd.add(digestFile.toString());
        }
        cmd.add(docker(srcDockerRef));
        cmd.add("oci:" + ociDir.toAbsolutePath());
        return run(cmd);
    }

    static ExternalProcess.Result run(List<String> cmd) {
        return ExternalProcess.run(TIMEOUT, Map.of("REGISTRY_AUTH_FILE", NO_AUTH_FILE.toString()),
                cmd.toArray(String[]::new));
    }

    static String docker(String ref) {
        return ref.startsWith("docker://") ? ref : "docker://" + ref;
    }

    private static Path tempFile() {
        try {
            Path f = Files.createTempFile("binaryrepo-e2e-skopeo-", ".digest");
            Files.delete(f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // temp file
        }
    }
}
