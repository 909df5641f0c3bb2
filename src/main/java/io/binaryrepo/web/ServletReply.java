package io.binaryrepo.web;

import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Reply;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * {@link Reply} on the container's response, and the one place that decides how cached content leaves:
 * the frontend ({@link Offload}), Tomcat's sendfile, Jetty's memory-mapped writes ({@link MappedContent}), or
 * a copy loop. Used by one request thread.
 */
final class ServletReply implements Reply {
    private static final int BUFFER = 64 * 1024;
    private static final String TOMCAT_SENDFILE_SUPPORT = "org.apache.tomcat.sendfile.support";
    /** Below this a plain copy is as cheap as setting up sendfile (Tomcat's own default threshold). */
    private static final long SENDFILE_MIN = 48 * 1024;

    private final HttpServletRequest request;
    private final HttpServletResponse response;
    private final Offload offload;
    private final String cacheRoot;

    /** @param cacheRoot the cache root as an absolute path (for Apache's X-Sendfile path check) */
    ServletReply(HttpServletRequest request, HttpServletResponse response, Offload offload, String cacheRoot) {
        this.request = request;
        this.response = response;
        this.offload = offload;
        this.cacheRoot = cacheRoot;
    }

    @Override
    public void status(int status) {
        response.setStatus(status);
    }

    @Override
    public void header(String name, String value) {
        response.setHeader(name, value);
    }

    @Override
    public void contentType(String type) {
        response.setContentType(type);
    }

    @Override
    public void contentLength(long length) {
        response.setContentLengthLong(length);
    }

    @Override
    public OutputStream body() throws IOException {
        return response.getOutputStream();
    }

    @Override
    public void flush() throws IOException {
        response.flushBuffer();
    }

    @Override
    public boolean committed() {
        return response.isCommitted();
    }

    @Override
    public boolean offload(Storage.Entry entry) {
        if (offload == Offload.NONE || entry.file().isEmpty()) {
            return false;
        }
        String file = entry.file().get().toAbsolutePath().toString();
        if (!file.startsWith(cacheRoot)) {
            return false;
        }
        if (offload == Offload.NGINX) {
            // The nginx internal location aliases the cache root (scripts/frontend-nginx.conf.tmpl).
            response.setHeader("X-Accel-Redirect", Offload.NGINX_LOCATION + file.substring(cacheRoot.length() + 1));
        } else {
            response.setHeader("X-Sendfile", file);
        }
        response.setContentLength(0);
        return true;
    }

    @Override
    public void send(Storage.Entry entry, long start, long end) throws IOException {
        if (sendfile(entry, start, end)) {
            return;
        }
        if (MappedContent.send(entry, start, end, response)) {
            return;
        }
        try (SeekableByteChannel ch = entry.open()) {
            copy(ch, start, end, response.getOutputStream());
        }
    }

    /**
     * Hands a cached file to Tomcat's sendfile (NIO connector, {@code useSendfile}, the default): the kernel
     * copies file to socket, the JVM touches no byte. Tomcat announces support with a request attribute;
     * other containers get the mapped writes or the copy loop. See Tomcat's "Advanced IO" documentation.
     */
    private boolean sendfile(Storage.Entry entry, long start, long end) {
        if (!Boolean.TRUE.equals(request.getAttribute(TOMCAT_SENDFILE_SUPPORT)) || entry.file().isEmpty()
                || end - start < SENDFILE_MIN) {
            return false;
        }
        request.setAttribute("org.apache.tomcat.sendfile.filename", entry.file().get().toAbsolutePath().toString());
        request.setAttribute("org.apache.tomcat.sendfile.start", start);
        request.setAttribute("org.apache.tomcat.sendfile.end", end);
        return true;
    }

    static void copy(SeekableByteChannel ch, long start, long end, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(BUFFER);
        long pos = start;
        ch.position(pos);
        while (pos < end) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), end - pos));
            int n = ch.read(buf);
            if (n < 0) {
                throw new IOException("cached entry shorter than recorded");
            }
            out.write(buf.array(), 0, n);
            pos += n;
        }
    }
}
