package io.binaryrepo.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on 127.0.0.1 to one remote host and port, for "upstream unreachable" scenarios: point a
 * repository at it, then {@link #close()} it and every later connection is refused (and open ones are cut).
 * TLS passes through untouched, so a client that resolves the upstream's host name to 127.0.0.1 (e.g. with
 * {@code -Djdk.net.hosts.file}) still verifies the real certificate. Two daemon threads per connection;
 * thread-safe.
 */
public final class TcpForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final String host;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private volatile boolean closed;

    private TcpForwarder(ServerSocket server, String host, int port) {
        this.server = server;
        this.host = host;
        this.port = port;
    }

    /** Listens on a free port of 127.0.0.1 and forwards each connection to {@code host:port}. */
    public static TcpForwarder start(String host, int port) {
        try {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            TcpForwarder f = new TcpForwarder(s, host, port);
            Thread t = new Thread(f::accept, "forwarder-" + s.getLocalPort());
            t.setDaemon(true);
            t.start();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The local port to connect to. */
    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    public long connections() {
        return connections.get();
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.incrementAndGet();
            open.add(client);
            Thread t = new Thread(() -> connect(client), "forwarder-conn");
            t.setDaemon(true);
            t.start();
        }
    }

    private void connect(Socket client) {
        Socket remote = new Socket();
        try {
            remote.connect(new InetSocketAddress(host, port), 10_000);
            open.add(remote);
            Thread back = new Thread(() -> pump(remote, client), "forwarder-back");
            back.setDaemon(true);
            back.start();
            pump(client, remote);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(remote);
        }
    }

    private void pump(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // one side ended: end both
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    /** Stops listening and cuts every open connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // nothing to do
        }
        open.forEach(this::closeQuietly);
    }
}
