package io.binaryrepo.web;

import io.binaryrepo.cache.Storage;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a cached file without copying it through the heap: the file is memory-mapped a window at a time
 * and each window handed to the container's {@code write(ByteBuffer)} (Servlet 6.1's
 * {@code ServletOutputStream.write(ByteBuffer)}, which Jetty 12 already has on its output stream), which
 * writes it to the socket straight from the page cache. The method is looked up on the output stream's own
 * class (no container class is loaded by name, so the WAR stays portable, and it compiles against Servlet
 * 6.0). Each window is unmapped as soon as it is written, so a response holds at most one window of
 * mapped pages (they count in the process RSS). Containers without the method use the copy loop; Tomcat
 * uses its sendfile first. Thread-safe.
 */
final class MappedContent {
    private static final Logger LOG = LoggerFactory.getLogger(MappedContent.class);
    /** Below this, mapping costs more than copying. */
    private static final long MIN = 256 * 1024;
    /** Mapped at a time: large enough for few system calls, small enough to keep RSS down. */
    private static final long WINDOW = 16L * 1024 * 1024;
    private static final ConcurrentHashMap<Class<?>, Optional<Method>> METHODS = new ConcurrentHashMap<>();

    private MappedContent() {
    }

    /**
     * Sends bytes {@code [start, end)} of the entry's file and completes the response body, if the
     * container offers it; status and headers must already be set.
     *
     * @return false when the caller must copy the bytes itself (nothing was written then)
     */
    static boolean send(Storage.Entry entry, long start, long end, HttpServletResponse response) throws IOException {
        long length = end - start;
        if (entry.file().isEmpty() || length < MIN || CLEANER.isEmpty()) {
            return false;
        }
        ServletOutputStream out = response.getOutputStream();
        Optional<Method> method = METHODS.computeIfAbsent(out.getClass(), MappedContent::find);
        if (method.isEmpty()) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(entry.file().get(), StandardOpenOption.READ)) {
            for (long pos = start; pos < end; pos += WINDOW) {
                ByteBuffer window = ch.map(FileChannel.MapMode.READ_ONLY, pos, Math.min(WINDOW, end - pos));
                try {
                    method.get().invoke(out, window);
                } catch (IllegalAccessException e) {
                    if (pos == start) {
                        METHODS.put(out.getClass(), Optional.empty());
                        return false;
                    }
                    throw new IOException("write(ByteBuffer) became inaccessible", e);
                } catch (InvocationTargetException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) {
                        throw io;
                    }
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IOException(c);
                } finally {
                    // A blocking write(ByteBuffer) has consumed the window when it returns (or failed).
                    unmap(window);
                }
            }
        }
        return true;
    }

    /** {@code sun.misc.Unsafe.invokeCleaner} (jdk.unsupported, Java 9+); absent: mappings wait for the GC. */
    private static final Optional<java.util.function.Consumer<ByteBuffer>> CLEANER = cleaner();

    private static Optional<java.util.function.Consumer<ByteBuffer>> cleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            Method invokeCleaner = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
            return Optional.of(buffer -> {
                try {
                    invokeCleaner.invoke(unsafe, buffer);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    LOG.debug("could not unmap a served file: {}", e.toString());
                }
            });
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    private static void unmap(ByteBuffer mapped) {
        CLEANER.ifPresent(c -> c.accept(mapped));
    }

    private static Optional<Method> find(Class<?> type) {
        Method m;
        try {
            m = type.getMethod("write", ByteBuffer.class);
        } catch (NoSuchMethodException | RuntimeException e) {
            return Optional.empty();
        }
        try {
            m.setAccessible(true);
        } catch (RuntimeException e) {
            // a public method of a public class needs no override; invoke() tells if it does
        }
        LOG.info("serving cached files through {}.write(ByteBuffer) (memory-mapped, no heap copy)", type.getName());
        return Optional.of(m);
    }
}
