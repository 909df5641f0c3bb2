package io.binaryrepo.cache;

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
 * Serves a cached file on Jetty the way Jetty serves its own static files: the file is memory-mapped
 * and the mapping handed to the container's {@code sendContent(ByteBuffer)}, which writes it to the
 * socket straight from the page cache, without copying it through the heap. Jetty has no servlet API
 * for this, so the method is looked up on the output stream's class (a public method of the instance
 * the container gave us; no container class is loaded by name, so the WAR stays portable). Other
 * containers, and files of 2 GiB or more (one mapping's limit), use the copy loop. Thread-safe.
 */
final class MappedContent {
    private static final Logger LOG = LoggerFactory.getLogger(MappedContent.class);
    /** Below this, mapping costs more than copying. */
    private static final long MIN = 256 * 1024;
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
        if (entry.file().isEmpty() || length < MIN || length > Integer.MAX_VALUE) {
            return false;
        }
        ServletOutputStream out = response.getOutputStream();
        Optional<Method> method = METHODS.computeIfAbsent(out.getClass(), MappedContent::find);
        if (method.isEmpty()) {
            return false;
        }
        ByteBuffer mapped;
        try (FileChannel ch = FileChannel.open(entry.file().get(), StandardOpenOption.READ)) {
            // The mapping stays valid after the channel is closed, and after the file is renamed or unlinked.
            mapped = ch.map(FileChannel.MapMode.READ_ONLY, start, length);
        }
        try {
            method.get().invoke(out, mapped);
            // The blocking send is complete: unmap now rather than when the GC gets to the buffer, or every
            // request leaves a mapping behind and the process's RSS counts each one (the kernel's OOM killer
            // reads RSS).
            unmap(mapped);
            return true;
        } catch (IllegalAccessException e) {
            METHODS.put(out.getClass(), Optional.empty());
            LOG.debug("sendContent not accessible on {}: {}", out.getClass().getName(), e.toString());
            return false;
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(c);
        }
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
            m = type.getMethod("sendContent", ByteBuffer.class);
        } catch (NoSuchMethodException | RuntimeException e) {
            return Optional.empty();
        }
        try {
            m.setAccessible(true);
        } catch (RuntimeException e) {
            // a public method of a public class needs no override; invoke() tells if it does
        }
        LOG.info("serving cached files through {}.sendContent (memory-mapped, no heap copy)", type.getName());
        return Optional.of(m);
    }
}
