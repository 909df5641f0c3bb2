package io.binaryrepo.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A CNCF distribution registry ({@code docker-registry serve}, 2.8) on
 * {@code 127.0.0.1:<free port>}: filesystem storage in a temp dir, {@code http.secret} set,
 * deletes disabled, log level info (log under {@code target/e2e-logs/registry-<n>.log}).
 * Either open ({@link #open()}) or protected by token auth from a {@link TokenIssuer}
 * ({@link #withTokenAuth(TokenIssuer)}); plain HTTP unless made by
 * {@link #create(TokenIssuer, boolean)} with TLS (self-signed certificate for
 * {@code IP:127.0.0.1}). The registry is running when a factory returns; {@link #stop()} and
 * {@link #start()} keep the port and the stored content; {@link #close()} stops it and deletes
 * the storage.
 */
public final class CncfRegistry implements AutoCloseable {

    /** How long {@link #start()} waits for {@code /v2/} to answer. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final TokenIssuer tokenIssuer;
    private final boolean tls;
    private final Path dir;
    private final Path config;
    private final int port;
    private ExternalProcess process;
    private ExternalProcess lastProcess;

    private CncfRegistry(TokenIssuer tokenIssuer, boolean tls) {
        this.tokenIssuer = tokenIssuer;
        this.tls = tls;
        this.dir = TempDirs.create("registry");
        this.config = dir.resolve("config.yml");
        this.port = Ports.free();
        boolean started = false;
        try {
            Files.createDirectories(dir.resolve("storage"));
            if (tls) {
                makeCertificate();
            }
            Files.writeString(config, configYaml());
            start();
            started = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!started) {
                close();
            }
        }
    }

    /** Starts a registry without authentication. */
    public static CncfRegistry open() {
        return new CncfRegistry(null, false);
    }

    /** Starts a plain-HTTP registry whose clients need tokens from {@code issuer}. */
    public static CncfRegistry withTokenAuth(TokenIssuer issuer) {
        return new CncfRegistry(Objects.requireNonNull(issuer), false);
    }

    /**
     * Starts a registry, with token auth when {@code issuerOrNull} is not null, serving HTTPS
     * when {@code tls} (certificate in {@link #certificatePem()}, also as {@code ca.crt} in
     * {@link #certDir()} for podman/skopeo {@code --cert-dir}).
     */
    public static CncfRegistry create(TokenIssuer issuerOrNull, boolean tls) {
        return new CncfRegistry(issuerOrNull, tls);
    }

    /** {@code 127.0.0.1:PORT}, the registry part of image references. */
    public String host() {
        return "127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:PORT}, or {@code https://...} with TLS (no trailing slash). */
    public String url() {
        return (tls ? "https://" : "http://") + host();
    }

    /** Whether the registry serves HTTPS. */
    public boolean isTls() {
        return tls;
    }

    /**
     * The self-signed server certificate (PEM, SAN {@code IP:127.0.0.1}).
     *
     * @throws IllegalStateException without TLS
     */
    public Path certificatePem() {
        requireTls();
        return dir.resolve("tls").resolve("cert.pem");
    }

    /**
     * A directory holding only {@code ca.crt} = {@link #certificatePem()}, for podman's and
     * skopeo's {@code --cert-dir}.
     *
     * @throws IllegalStateException without TLS
     */
    public Path certDir() {
        requireTls();
        return dir.resolve("certs.d");
    }

    /**
     * An SSLContext trusting only this registry's certificate (for Java HTTP clients).
     *
     * @throws IllegalStateException without TLS
     */
    public SSLContext sslContext() {
        requireTls();
        try (InputStream in = Files.newInputStream(certificatePem())) {
            Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("registry", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The TCP port, the same across {@link #stop()}/{@link #start()}. */
    public int port() {
        return port;
    }

    /** The token issuer guarding this registry, if any. */
    public Optional<TokenIssuer> tokenIssuer() {
        return Optional.ofNullable(tokenIssuer);
    }

    /** Whether clients need credentials to push (true with token auth). */
    public boolean requiresAuth() {
        return tokenIssuer != null;
    }

    /** The filesystem storage root ({@code storage.filesystem.rootdirectory}). */
    public Path storageDir() {
        return dir.resolve("storage");
    }

    /** The generated {@code config.yml}. */
    public Path configFile() {
        return config;
    }

    /** Whether the registry process is running. */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /**
     * Starts the registry process (no-op when running) and waits until {@code /v2/} answers
     * 200 or 401.
     *
     * @throws AssertionError with the registry log when it does not come up
     */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        process = ExternalProcess.start("registry", Map.of(),
                "docker-registry", "serve", config.toString());
        lastProcess = process;
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        if (tls) {
            builder.sslContext(sslContext());
        }
        HttpClient client = builder.build();
        HttpRequest ping = HttpRequest.newBuilder(URI.create(url() + "/v2/"))
                .timeout(Duration.ofSeconds(2)).GET().build();
        ExternalProcess p = process;
        Wait.until(START_TIMEOUT, () -> url() + "/v2/ to answer 200 or 401; log:\n" + p.logText(), () -> {
            if (!p.isAlive()) {
                throw new AssertionError("registry exited early; log:\n" + p.logText());
            }
            try {
                int status = client.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                return status == 200 || status == 401;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        });
    }

    /** Stops the registry process (no-op when stopped); storage and port are kept for {@link #start()}. */
    public synchronized void stop() {
        if (process != null) {
            process.close();
            process = null;
        }
    }

    /** Log of the current (or last) registry process, for failure messages. */
    public synchronized String logText() {
        return lastProcess == null ? "" : lastProcess.logText();
    }

    /** Stops the registry and deletes its storage and config. */
    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    @Override
    public String toString() {
        return "CncfRegistry[" + url() + (tokenIssuer == null ? ", open" : ", token auth") + "]";
    }

    private void requireTls() {
        if (!tls) {
            throw new IllegalStateException(this + " does not serve TLS");
        }
    }

    private void makeCertificate() throws IOException {
        Path tlsDir = Files.createDirectories(dir.resolve("tls"));
        ExternalProcess.runChecked(Duration.ofSeconds(60), Map.of(), "openssl", "req", "-x509",
                "-newkey", "rsa:2048", "-nodes", "-days", "7", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", tlsDir.resolve("key.pem").toString(), "-out", tlsDir.resolve("cert.pem").toString());
        Files.createDirectories(dir.resolve("certs.d"));
        Files.copy(tlsDir.resolve("cert.pem"), dir.resolve("certs.d").resolve("ca.crt"));
    }

    private String configYaml() {
        StringBuilder y = new StringBuilder();
        y.append("version: 0.1\n");
        y.append("log:\n  level: info\n  accesslog:\n    disabled: false\n");
        y.append("storage:\n");
        y.append("  filesystem:\n    rootdirectory: ").append(quote(storageDir().toString())).append('\n');
        y.append("  delete:\n    enabled: false\n");
        y.append("  maintenance:\n    uploadpurging:\n      enabled: false\n");
        y.append("http:\n");
        y.append("  addr: 127.0.0.1:").append(port).append('\n');
        y.append("  secret: ").append(quote(TokenIssuer.randomHex(24))).append('\n');
        if (tls) {
            y.append("  tls:\n");
            y.append("    certificate: ").append(quote(dir.resolve("tls").resolve("cert.pem").toString())).append('\n');
            y.append("    key: ").append(quote(dir.resolve("tls").resolve("key.pem").toString())).append('\n');
        }
        if (tokenIssuer != null) {
            y.append("auth:\n  token:\n");
            y.append("    realm: ").append(quote(tokenIssuer.realm())).append('\n');
            y.append("    service: ").append(quote(tokenIssuer.service())).append('\n');
            y.append("    issuer: ").append(quote(tokenIssuer.issuer())).append('\n');
            y.append("    rootcertbundle: ").append(quote(tokenIssuer.certificatePem().toString())).append('\n');
        }
        return y.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
