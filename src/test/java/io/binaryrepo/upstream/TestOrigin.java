package io.binaryrepo.upstream;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * One HTTP or HTTPS origin for upstream-client tests: an embedded Jetty on 127.0.0.1 and a free port
 * that answers every request with a test-given {@link Answer} and records what it received (method,
 * path and query, headers with lowercase names). Thread-safe.
 */
final class TestOrigin implements AutoCloseable {

    /** How the origin answers a request. */
    @FunctionalInterface
    interface Answer {
        void answer(HttpServletRequest req, HttpServletResponse resp) throws IOException;
    }

    /** A request as received. */
    record Seen(String method, String target, Map<String, String> headers) {
    }

    /** A self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
    record Tls(Path keyStore, String password) {
        static Tls create(Path dir) throws Exception {
            String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
            Path ks = dir.resolve("origin.p12");
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "origin", "-keyalg", "RSA",
                    "-keysize", "2048", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", password, "-keypass", password)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + out);
            }
            return new Tls(ks, password);
        }

        /** A client context that trusts only this certificate. */
        SSLContext clientContext() throws Exception {
            KeyStore own = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                own.load(in, password.toCharArray());
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("origin", own.getCertificate("origin"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), null);
            return c;
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final boolean tls;
    private final List<Seen> requests = Collections.synchronizedList(new ArrayList<>());
    private volatile Answer answer;

    private TestOrigin(Tls tls, Answer answer) {
        this.answer = answer;
        this.tls = tls != null;
        server = new Server();
        if (tls == null) {
            connector = new ServerConnector(server);
        } else {
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(tls.keyStore().toString());
            ssl.setKeyStorePassword(tls.password());
            ssl.setKeyStoreType("PKCS12");
            HttpConfiguration config = new HttpConfiguration();
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false);
            config.addCustomizer(secure);
            connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                    new HttpConnectionFactory(config));
        }
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler ctx = new ServletContextHandler("/");
        ctx.addServlet(new ServletHolder(new Recorder()), "/*");
        server.setHandler(ctx);
    }

    static TestOrigin http(Answer answer) throws Exception {
        return start(new TestOrigin(null, answer));
    }

    static TestOrigin https(Tls tls, Answer answer) throws Exception {
        return start(new TestOrigin(tls, answer));
    }

    private static TestOrigin start(TestOrigin o) throws Exception {
        o.server.start();
        return o;
    }

    /** Answers with {@code status} and {@code body} as text. */
    static Answer text(int status, String body) {
        return (req, resp) -> {
            resp.setStatus(status);
            resp.setContentType("text/plain");
            resp.getWriter().write(body);
        };
    }

    /** Answers with a 302 to {@code location}. */
    static Answer redirect(String location) {
        return (req, resp) -> {
            resp.setStatus(302);
            resp.setHeader("Location", location);
        };
    }

    void answer(Answer a) {
        this.answer = a;
    }

    int port() {
        return connector.getLocalPort();
    }

    /** {@code http://127.0.0.1:PORT} or {@code https://...}. */
    String url() {
        return (tls ? "https" : "http") + "://127.0.0.1:" + port();
    }

    /** {@code 127.0.0.1:PORT}, as an allowedHosts entry. */
    String hostAndPort() {
        return "127.0.0.1:" + port();
    }

    List<Seen> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Whether any request carried a header named {@code name} (any case). */
    boolean received(String name) {
        return requests().stream().anyMatch(s -> s.headers().containsKey(name.toLowerCase(Locale.ROOT)));
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    private final class Recorder extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            Map<String, String> headers = new LinkedHashMap<>();
            for (String n : Collections.list(req.getHeaderNames())) {
                headers.put(n.toLowerCase(Locale.ROOT), req.getHeader(n));
            }
            String target = req.getRequestURI() + (req.getQueryString() == null ? "" : "?" + req.getQueryString());
            requests.add(new Seen(req.getMethod(), target, headers));
            answer.answer(req, resp);
        }
    }
}
