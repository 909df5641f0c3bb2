package io.binaryrepo.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1. */
public final class Ports {

    private Ports() {
    }

    /**
     * A port that was free on 127.0.0.1 a moment ago ({@code new ServerSocket(0)}, then closed);
     * bind it soon, another process may take it.
     */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
