package io.binaryrepo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An isolated containerd (the Debian 1.6 package, run as root) used as a pull-only client: its
 * own {@code root}, {@code state}, {@code temp}, GRPC and TTRPC sockets, {@code opt} plugin dir,
 * {@code config.toml} (version 2) and {@code hosts.toml} directory, all in one temp dir under
 * {@code /tmp} (unix socket paths are limited to about 100 characters, so not under
 * java.io.tmpdir), deleted by {@link #close()}. The daemon log goes to
 * {@code target/e2e-logs/containerd-<n>.log}.
 *
 * <p>Plugins that cannot or need not run here are disabled ({@link #DISABLED_PLUGINS}: CRI, the
 * snapshotters other than {@code native}, and everything for running tasks, which needs cgroups
 * and runc). Images are unpacked with the {@link #SNAPSHOTTER native} snapshotter, which works on
 * any file system (no overlay mounts, so also inside containers whose root is overlayfs).
 *
 * <p>With containerd 1.6, {@code ctr images pull} resolves and fetches in the {@code ctr}
 * process itself (the daemon only stores content and unpacks), so registry requests are logged
 * by {@code ctr --debug}, not by the daemon; {@link #pull} runs with {@code --debug} and puts
 * that output into its failure messages.
 */
public final class Containerd implements AutoCloseable {

    /** How long {@link #start()} waits for {@code ctr version} to answer. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /** Time allowed for one pull. */
    public static final Duration PULL_TIMEOUT = Duration.ofMinutes(5);

    /** Time allowed for other, short ctr commands. */
    public static final Duration CTR_TIMEOUT = Duration.ofSeconds(30);

    /** The containerd namespace every command uses ({@code ctr -n}). */
    public static final String NAMESPACE = "e2e";

    /** The snapshotter images are unpacked with. */
    public static final String SNAPSHOTTER = "native";

    /** Plugins disabled in the generated config. */
    public static final List<String> DISABLED_PLUGINS = List.of(
            "io.containerd.grpc.v1.cri",
            "io.containerd.snapshotter.v1.aufs",
            "io.containerd.snapshotter.v1.btrfs",
            "io.containerd.snapshotter.v1.devmapper",
            "io.containerd.snapshotter.v1.overlayfs",
            "io.containerd.snapshotter.v1.zfs",
            "io.containerd.monitor.v1.cgroups",
            "io.containerd.runtime.v1.linux",
            "io.containerd.runtime.v2.task",
            "io.containerd.service.v1.tasks-service",
            "io.containerd.grpc.v1.tasks",
            "io.containerd.internal.v1.restart");

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*[A-Za-z]");
    /** A line of ctr's progress table, e.g. {@code layer-sha256:...: done |++++|}. */
    private static final Pattern PROGRESS_LINE = Pattern.compile(".*\\|[^|]*\\|\\s*|elapsed: .*");

    private final Path dir;
    private ExternalProcess daemon;

    private Containerd(Path dir) {
        this.dir = dir;
    }

    /**
     * Writes the config, starts {@code containerd --config ...} and waits until
     * {@code ctr --address SOCK version} answers.
     *
     * @throws AssertionError with the daemon log when it does not come up
     */
    public static Containerd start() {
        Path dir;
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "e2e-ctrd-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Containerd c = new Containerd(dir);
        boolean started = false;
        try {
            for (String sub : List.of("root", "state", "tmp", "opt", "hosts")) {
                Files.createDirectories(dir.resolve(sub));
            }
            Files.writeString(c.configFile(), c.configToml());
            c.daemon = ExternalProcess.start("containerd", Map.of(),
                    "containerd", "--config", c.configFile().toString());
            ExternalProcess d = c.daemon;
            Wait.until(START_TIMEOUT, () -> "containerd to answer on " + c.socket() + "; log:\n" + d.logText(), () -> {
                if (!d.isAlive()) {
                    throw new AssertionError("containerd exited early; log:\n" + d.logText());
                }
                // without the socket, ctr would wait for its 10 s connect timeout
                return Files.exists(c.socket())
                        && c.ctr(Duration.ofSeconds(10), "--connect-timeout", "2s", "version").succeeded();
            });
            started = true;
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!started) {
                c.close();
            }
        }
    }

    /** The instance's directory, {@code /tmp/e2e-ctrd-...}. */
    public Path dir() {
        return dir;
    }

    /** The GRPC socket ({@code ctr --address}). */
    public Path socket() {
        return dir.resolve("containerd.sock");
    }

    /** The generated {@code config.toml}. */
    public Path configFile() {
        return dir.resolve("config.toml");
    }

    /** The {@code --hosts-dir} {@link #pull} uses, holding {@code <registry host>/hosts.toml}. */
    public Path hostsDir() {
        return dir.resolve("hosts");
    }

    /** The daemon log so far. */
    public String logText() {
        return daemon == null ? "" : daemon.logText();
    }

    /**
     * Writes {@code <hostsDir>/<registryHost>/hosts.toml} (replacing an earlier one) so that
     * {@link #pull} of {@code registryHost/...} references goes to {@code mirrorUrl}, and only
     * there:
     * <pre>
     * server = "https://registry-1.docker.io"   # or "https://&lt;registryHost&gt;"
     * capabilities = ["push"]
     *
     * [host."http://127.0.0.1:PORT/v2/docker-remote"]
     *   capabilities = ["pull", "resolve"]
     *   override_path = true
     * </pre>
     * The top-level {@code capabilities} apply to {@code server}: without them a pull the mirror
     * cannot serve (even a 404) falls back to the real registry, and ctr then reports that
     * registry's error (here a DNS failure) instead of the mirror's; with network it would
     * reach Docker Hub. The scheme of {@code mirrorUrl} decides HTTP or HTTPS
     * ({@code --plain-http} is not needed). With {@code override_path}, containerd appends
     * {@code /<name>/manifests/<ref>} and {@code /<name>/blobs/<digest>} to the URL's path (so
     * it must include the {@code /v2} part) and adds {@code ?ns=<registryHost>}.
     *
     * @param registryHost the registry part of the references, e.g. {@code docker.io} or
     *     {@code 127.0.0.1:5000}
     * @param mirrorUrl e.g. {@code http://127.0.0.1:8081/v2/docker-remote}
     */
    public Containerd mirror(String registryHost, String mirrorUrl) {
        String server = "docker.io".equals(registryHost) ? "https://registry-1.docker.io" : "https://" + registryHost;
        String toml = "server = " + toml(server) + "\n"
                + "# the server only for push: pulls never fall back to the real registry\n"
                + "capabilities = [\"push\"]\n\n"
                + "[host." + toml(mirrorUrl) + "]\n"
                + "  capabilities = [\"pull\", \"resolve\"]\n"
                + "  override_path = true\n";
        try {
            Path hostDir = Files.createDirectories(hostsDir().resolve(registryHost));
            Files.writeString(hostDir.resolve("hosts.toml"), toml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /**
     * {@code ctr -n e2e images pull --hosts-dir HOSTS --snapshotter native REF}: pulls and
     * unpacks the host platform's image, going through the mirrors set with {@link #mirror}.
     *
     * @param ref a fully qualified reference (ctr does not normalize), e.g.
     *     {@code docker.io/library/alpine:3}
     * @return the image's target digest (the manifest's, or the index's for a multi-platform
     *     image), as listed by {@code ctr images check}
     * @throws AssertionError with ctr's output and the daemon log tail when the pull fails or
     *     the image is not complete and unpacked afterwards
     */
    public String pull(String ref) {
        return pullWith(ref, "--hosts-dir", hostsDir().toString());
    }

    /**
     * Pulls {@code ref} straight from its registry, ignoring {@link #mirror}s; with
     * {@code plainHttp} adds {@code --plain-http}. Otherwise like {@link #pull}.
     */
    public String pullDirect(String ref, boolean plainHttp) {
        return plainHttp ? pullWith(ref, "--plain-http") : pullWith(ref);
    }

    /**
     * Runs {@code ctr --address SOCK -n e2e ARGS} (never throws on failure).
     */
    public ExternalProcess.Result ctr(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket().toString(), "--namespace", NAMESPACE));
        cmd.addAll(List.of(args));
        return ExternalProcess.run(timeout, Map.of(), cmd.toArray(String[]::new));
    }

    /**
     * Stops the daemon (SIGTERM, SIGKILL after {@value ExternalProcess#GRACE_SECONDS} s) and
     * deletes its directory. Idempotent.
     */
    @Override
    public void close() {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            unmountLeftovers();
            TempDirs.deleteRecursively(dir);
        }
    }

    @Override
    public String toString() {
        return "Containerd[" + socket() + (daemon == null ? "" : ", " + daemon) + "]";
    }

    private String pullWith(String ref, String... pullFlags) {
        List<String> args = new ArrayList<>(List.of("--debug", "images", "pull"));
        args.addAll(List.of(pullFlags));
        args.add("--snapshotter");
        args.add(SNAPSHOTTER);
        args.add(ref);
        ExternalProcess.Result r = ctr(PULL_TIMEOUT, args.toArray(String[]::new));
        if (!r.succeeded()) {
            throw failure("ctr images pull " + ref + " failed (exit " + r.exitCode() + ")", r);
        }
        ExternalProcess.Result check = ctr(CTR_TIMEOUT, "images", "check", "--snapshotter", SNAPSHOTTER);
        if (!check.succeeded()) {
            throw failure("ctr images check failed after pulling " + ref + ":\n" + check.output(), r);
        }
        // REF TYPE DIGEST STATUS SIZE UNPACKED, e.g.
        // docker.io/library/small:1 application/vnd.oci.image.manifest.v1+json sha256:... complete (2/2) 423.0 B/423.0 B true
        for (String line : check.stdout().split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length < 5 || !cols[0].equals(ref)) {
                continue;
            }
            if (!DIGEST.matcher(cols[2]).matches() || !"complete".equals(cols[3])
                    || !"true".equals(cols[cols.length - 1])) {
                throw failure("image " + ref + " is not complete and unpacked after the pull: " + line, r);
            }
            return cols[2];
        }
        throw failure("image " + ref + " is not listed after the pull:\n" + check.stdout(), r);
    }

    private AssertionError failure(String what, ExternalProcess.Result pull) {
        return new AssertionError(what + "\n--- ctr output (progress lines dropped) ---\n"
                + tail(withoutProgress(pull.output()), 12000)
                + "\n--- containerd log (tail) ---\n" + tail(logText(), 6000));
    }

    private static String withoutProgress(String output) {
        StringBuilder s = new StringBuilder();
        for (String line : ANSI.matcher(output).replaceAll("").split("\n")) {
            if (!PROGRESS_LINE.matcher(line).matches()) {
                s.append(line).append('\n');
            }
        }
        return s.toString();
    }

    private static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }

    private String configToml() {
        StringBuilder t = new StringBuilder();
        t.append("version = 2\n");
        t.append("root = ").append(toml(dir.resolve("root").toString())).append('\n');
        t.append("state = ").append(toml(dir.resolve("state").toString())).append('\n');
        t.append("temp = ").append(toml(dir.resolve("tmp").toString())).append('\n');
        t.append("disabled_plugins = [");
        for (int i = 0; i < DISABLED_PLUGINS.size(); i++) {
            t.append(i == 0 ? "\n  " : ",\n  ").append(toml(DISABLED_PLUGINS.get(i)));
        }
        t.append("\n]\n\n");
        t.append("[grpc]\n  address = ").append(toml(socket().toString())).append('\n');
        t.append("\n[ttrpc]\n  address = ").append(toml(socket() + ".ttrpc")).append('\n');
        t.append("\n[debug]\n  level = \"info\"\n");
        // the default is /opt/containerd, outside our directory
        t.append("\n[plugins]\n  [plugins.\"io.containerd.internal.v1.opt\"]\n    path = ")
                .append(toml(dir.resolve("opt").toString())).append('\n');
        return t.toString();
    }

    /** Snapshot mounts should all be gone; never walk into a leftover one while deleting. */
    private void unmountLeftovers() {
        String prefix = dir.toString() + "/";
        List<String> mountPoints = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length > 1 && f[1].startsWith(prefix)) {
                    mountPoints.add(f[1]);
                }
            }
        } catch (IOException e) {
            return;
        }
        for (int i = mountPoints.size() - 1; i >= 0; i--) {
            ExternalProcess.run(CTR_TIMEOUT, Map.of(), "umount", "-l", mountPoints.get(i));
        }
    }

    private static String toml(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
