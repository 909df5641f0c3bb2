package io.binaryrepo.repo;

import io.binaryrepo.cache.Storage;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The response the shared handler writes, without servlet types: the web layer implements it on the
 * container's response and decides there, in one place, how cached content is sent (Tomcat's sendfile,
 * Jetty's mapped writes, a frontend offload, or a copy loop). Used by one request thread.
 */
public interface Reply {

    void status(int status);

    void header(String name, String value);

    void contentType(String type);

    void contentLength(long length);

    /** The body stream; the caller does not close it. */
    OutputStream body() throws IOException;

    /** Sends status and headers now (before a body that may take a while to come). */
    void flush() throws IOException;

    boolean committed();

    /**
     * Lets the frontend send the whole cached entry itself (nginx {@code X-Accel-Redirect}, Apache
     * {@code X-Sendfile}), when so configured and the entry is a local file. When it returns true the caller
     * only sets status 200, content type and headers, and writes no body.
     */
    boolean offload(Storage.Entry entry);

    /**
     * Writes bytes {@code [start, end)} of a cached entry as the body (status and headers are set), by the
     * cheapest means the container offers.
     */
    void send(Storage.Entry entry, long start, long end) throws IOException;
}
