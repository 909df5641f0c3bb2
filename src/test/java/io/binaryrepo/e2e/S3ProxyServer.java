package io.binaryrepo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3Proxy 4 ({@code org.gaul:s3proxy}, its jar-with-dependencies, which the build copies to
 * {@code target/s3proxy/s3proxy.jar}) as a real S3 server on {@code 127.0.0.1:<free port>}, in a JVM of its own
 * so that its dependencies (shaded Jetty 12, logback, Jackson 2.18, cloud SDKs) never meet the tests' class
 * path. AWS V2/V4 signatures are checked (also presigned URLs) against a fixed test identity; the backend is
 * {@code transient-nio2} (in memory) or {@code filesystem-nio2} (a temp dir, kept across
 * {@link #stop()}/{@link #start()}). Both check {@code If-None-Match: *} atomically. Log under
 * {@code target/e2e-logs/s3proxy-<n>.log}.
 *
 * <p>For binaryrepo on this server: {@link #systemProperties(String, String)} (embedded servers) or
 * {@link #tomcatEnv(String, String, boolean)} (for {@code TomcatDeployment.start(..., env)}), after
 * {@link #createBucket(String)}.
 */
public final class S3ProxyServer implements AutoCloseable {
    /** The identity S3Proxy accepts (test credentials, not a secret). */
    public static final String ACCESS_KEY = "binaryrepo-test";
    public static final String SECRET_KEY = "binaryrepo-test-secret";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** Which jclouds blob store S3Proxy serves. */
    public enum Backend {
        TRANSIENT, FILESYSTEM
    }

    private final Backend backend;
    private final Path dir;
    private final int port;
    private ExternalProcess process;

    private S3ProxyServer(Backend backend) {
        this.backend = backend;
        this.dir = TempDirs.create("s3proxy");
        this.port = Ports.free();
    }

    /** Starts S3Proxy and waits until it answers. */
    public static S3ProxyServer start(Backend backend) {
        S3ProxyServer s = new S3ProxyServer(backend);
        try {
            s.start();
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    /** Starts the process again (no-op when running); the filesystem backend still has its objects. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            Files.createDirectories(dir.resolve("blobs"));
            Path props = dir.resolve("s3proxy.properties");
            Files.writeString(props, properties());
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            process = ExternalProcess.start("s3proxy", Map.of(), java, "-Xmx512m", "-jar", jar().toString(),
                    "--properties", props.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process.waitForHttp(endpoint() + "/", START_TIMEOUT);
    }

    private String properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("s3proxy.endpoint", endpoint().toString());
        p.put("s3proxy.authorization", "aws-v2-or-v4");
        p.put("s3proxy.identity", ACCESS_KEY);
        p.put("s3proxy.credential", SECRET_KEY);
        p.put("jclouds.identity", ACCESS_KEY);
        p.put("jclouds.credential", SECRET_KEY);
        if (backend == Backend.TRANSIENT) {
            p.put("jclouds.provider", "transient-nio2");
        } else {
            p.put("jclouds.provider", "filesystem-nio2");
            p.put("jclouds.filesystem.basedir", dir.resolve("blobs").toString());
        }
        return p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n", "", "\n"));
    }

    /** The self-contained S3Proxy jar the build copies into target/s3proxy (pom.xml, maven-dependency-plugin). */
    private static Path jar() {
        Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("no S3Proxy at " + jar + ": run the tests with mvn (generate-test-resources copies it)");
        }
        return jar;
    }

    /** Stops the process (SIGTERM); the port and, with the filesystem backend, the objects are kept. */
    public synchronized void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));
    }

    /** A client for the tests' own look at the bucket; the caller closes it. */
    public S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(credentials()).httpClientBuilder(Apache5HttpClient.builder())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
    }

    /** Creates a bucket (a fresh name per test keeps tests apart on one server). */
    public void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
        }
    }

    /** A new bucket with a unique name, created. */
    public String newBucket() {
        String bucket = "b" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        createBucket(bucket);
        return bucket;
    }

    /**
     * The settings that put binaryrepo on {@code bucket} of this server, as system properties (path-style,
     * the endpoint, region us-east-1) plus the test identity as {@code aws.accessKeyId}/{@code aws.secretAccessKey},
     * which the SDK's default provider chain reads.
     */
    public Map<String, String> systemProperties(String bucket, String prefix) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("binaryrepo.storage.s3.bucket", bucket);
        if (prefix != null && !prefix.isEmpty()) {
            p.put("binaryrepo.storage.s3.prefix", prefix);
        }
        p.put("binaryrepo.storage.s3.endpoint", endpoint().toString());
        p.put("binaryrepo.storage.s3.region", "us-east-1");
        p.put("binaryrepo.storage.s3.pathStyle", "true");
        return p;
    }

    /**
     * Environment for {@code TomcatDeployment.start(base, spoolDir, config, env)}: {@code CATALINA_OPTS} with the
     * {@link #systemProperties} (and {@code binaryrepo.storage.s3.redirect}), credentials as
     * {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} (the SDK's default chain: environment first).
     */
    public Map<String, String> tomcatEnv(String bucket, String prefix, boolean redirect) {
        Map<String, String> props = new LinkedHashMap<>(systemProperties(bucket, prefix));
        props.put("binaryrepo.storage.s3.redirect", Boolean.toString(redirect));
        String opts = props.entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        return Map.of("CATALINA_OPTS", opts, "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    }

    /** Object keys in {@code bucket} (all pages). */
    public List<String> keys(String bucket) {
        try (S3Client s3 = client()) {
            return s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(o -> o.key()).toList();
        }
    }

    /** The process log, for failure messages. */
    public synchronized String logText() {
        return process == null ? "(S3Proxy not running)" : process.logText();
    }

    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }
}
