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
 * An isolated podman client (root): its own {@code --root}, {@code --runroot}, {@code --tmpdir},
 * {@code storage.conf} ({@code vfs}), {@code registries.conf} ({@code CONTAINERS_REGISTRIES_CONF})
 * and an empty {@code REGISTRY_AUTH_FILE}, all in one temp dir under {@code /tmp} (podman
 * rejects a {@code --runroot} longer than 50 characters) deleted by {@link #close()}. Every
 * command gets {@link #GLOBAL_FLAGS}. TLS verification is off ({@code --tls-verify=false})
 * unless the instance comes from {@link #withCertDir(Path)}.
 * The system-wide blob-info cache ({@code /var/lib/containers/cache}) is still shared: podman has
 * no switch for it.
 */
public final class Podman implements AutoCloseable {

    /** Time allowed for one podman command. */
    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    /**
     * Flags added to every podman command besides the per-instance paths. Podman would pick
     * {@code cgroupfs} and {@code file} by itself here (no systemd, no journald), but says so
     * explicitly so it does not depend on detection.
     */
    public static final List<String> GLOBAL_FLAGS = List.of(
            "--storage-driver", "vfs",
            "--cgroup-manager", "cgroupfs",
            "--events-backend", "file",
            "--network-backend", "netavark");

    private final Path dir;
    private final Path certDir;
    private final List<String> registryBlocks = new ArrayList<>();

    private Podman(Path certDir) {
        this.certDir = certDir;
        try {
            // podman refuses a --runroot longer than 50 characters, so not under java.io.tmpdir
            this.dir = Files.createTempDirectory(Path.of("/tmp"), "e2e-podman-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.createDirectories(root());
            Files.createDirectories(runRoot());
            Files.createDirectories(dir.resolve("tmp"));
            Files.writeString(dir.resolve("storage.conf"), "[storage]\ndriver = \"vfs\"\n"
                    + "graphroot = " + toml(root().toString()) + "\n"
                    + "runroot = " + toml(runRoot().toString()) + "\n");
            // podman insists that the auth file exists (skopeo does not)
            Files.writeString(dir.resolve("auth.json"), "{\"auths\":{}}\n");
            writeRegistriesConf();
        } catch (IOException e) {
            TempDirs.deleteRecursively(dir);
            throw new UncheckedIOException(e);
        }
    }

    /** A podman with TLS verification off. */
    public Podman() {
        this(null);
    }

    /** A podman that verifies TLS with the CA certificates ({@code *.crt}) in {@code certDir}. */
    public static Podman withCertDir(Path certDir) {
        return new Podman(certDir);
    }

    /** The storage root ({@code --root}). */
    public Path root() {
        return dir.resolve("root");
    }

    /** The state dir ({@code --runroot}). */
    public Path runRoot() {
        return dir.resolve("runroot");
    }

    /** The registries.conf this instance uses. */
    public Path registriesConf() {
        return dir.resolve("registries.conf");
    }

    /**
     * Adds a {@code [[registry]]} entry: references starting with {@code prefix} (e.g.
     * {@code "docker.io"}) are pulled from {@code location} (e.g. {@code "127.0.0.1:5000/hub"}),
     * plain HTTP allowed when {@code insecure}.
     */
    public Podman addRegistry(String prefix, String location, boolean insecure) {
        registryBlocks.add("[[registry]]\nprefix = " + toml(prefix) + "\nlocation = " + toml(location)
                + "\ninsecure = " + insecure + "\n");
        writeRegistriesConf();
        return this;
    }

    /**
     * Adds a {@code [[registry]]} entry for {@code prefix}/{@code location} with one
     * {@code [[registry.mirror]]} at {@code mirrorLocation} ({@code insecure = true}). Podman
     * tries the mirror first and falls back to {@code location}.
     */
    public Podman addMirror(String prefix, String location, String mirrorLocation) {
        registryBlocks.add("[[registry]]\nprefix = " + toml(prefix) + "\nlocation = " + toml(location)
                + "\n\n[[registry.mirror]]\nlocation = " + toml(mirrorLocation) + "\ninsecure = true\n");
        writeRegistriesConf();
        return this;
    }

    /**
     * Pulls {@code ref} anonymously.
     *
     * @return the pulled image's manifest digest ({@code podman image inspect --format {{.Digest}}});
     *     for an image index this is the index digest, the chosen platform's manifest digest is
     *     then one more entry of {@code {{.RepoDigests}}}
     * @throws AssertionError with podman's output when the pull fails
     */
    public String pull(String ref) {
        return pullWith(ref, null);
    }

    /** Pulls {@code ref} with {@code --creds username:password}; otherwise like {@link #pull(String)}. */
    public String pull(String ref, String username, String password) {
        return pullWith(ref, username + ":" + password);
    }

    /**
     * Pulls {@code ref} anonymously, expecting failure. Podman 4.3 retries network errors
     * (e.g. connection refused) 3 times, 1 s apart, so that kind of failure takes about 3 s.
     *
     * @return podman's output
     * @throws AssertionError when the pull succeeds
     */
    public String pullFails(String ref) {
        ExternalProcess.Result r = podman(pullArgs(ref, null));
        if (r.succeeded()) {
            throw new AssertionError("expected pull of " + ref + " to fail, but it succeeded:\n" + r.output());
        }
        return r.output();
    }

    /** {@code podman image inspect --format {{.Digest}} REF}. */
    public String imageDigest(String ref) {
        return inspect(ref, "{{.Digest}}");
    }

    /**
     * {@code podman image inspect --format FORMAT REF}, trimmed; e.g. {@code "{{.Architecture}}"},
     * {@code "{{.Id}}"} (the config digest's hex), {@code "{{.RepoDigests}}"}.
     *
     * @throws AssertionError with podman's output on failure
     */
    public String inspect(String ref, String goTemplate) {
        return podman("image", "inspect", "--format", goTemplate, ref).checked().stdout().trim();
    }

    /** Runs {@code podman GLOBAL_FLAGS ARGS} in this instance's environment; never throws on failure. */
    public ExternalProcess.Result podman(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("podman");
        cmd.add("--root");
        cmd.add(root().toString());
        cmd.add("--runroot");
        cmd.add(runRoot().toString());
        cmd.add("--tmpdir");
        cmd.add(dir.resolve("tmp").toString());
        cmd.addAll(GLOBAL_FLAGS);
        cmd.addAll(List.of(args));
        return ExternalProcess.run(TIMEOUT, Map.of(
                "CONTAINERS_REGISTRIES_CONF", registriesConf().toString(),
                "CONTAINERS_STORAGE_CONF", dir.resolve("storage.conf").toString(),
                "REGISTRY_AUTH_FILE", dir.resolve("auth.json").toString(),
                "TMPDIR", dir.resolve("tmp").toString()), cmd.toArray(String[]::new));
    }

    /** Deletes this instance's storage and config. */
    @Override
    public void close() {
        TempDirs.deleteRecursively(dir);
    }

    private String pullWith(String ref, String creds) {
        ExternalProcess.Result r = podman(pullArgs(ref, creds));
        if (!r.succeeded()) {
            throw new AssertionError("podman pull " + ref + " failed (exit " + r.exitCode() + "):\n" + r.output());
        }
        String[] lines = r.stdout().trim().split("\n");
        String imageId = lines[lines.length - 1].trim();
        return imageDigest(imageId);
    }

    private String[] pullArgs(String ref, String creds) {
        List<String> args = new ArrayList<>(List.of("pull", "--quiet"));
        if (certDir == null) {
            args.add("--tls-verify=false");
        } else {
            args.add("--tls-verify=true");
            args.add("--cert-dir");
            args.add(certDir.toString());
        }
        if (creds != null) {
            args.add("--creds");
            args.add(creds);
        }
        args.add(ref);
        return args.toArray(String[]::new);
    }

    private void writeRegistriesConf() {
        StringBuilder s = new StringBuilder("unqualified-search-registries = []\n");
        for (String block : registryBlocks) {
            s.append('\n').append(block);
        }
        try {
            Files.writeString(registriesConf(), s.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String toml(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
