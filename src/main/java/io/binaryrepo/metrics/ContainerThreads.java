package io.binaryrepo.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servlet container's request thread pools, read from the container's own MBeans (so the webapp
 * needs no container classes, which Jetty hides from webapps): Tomcat's {@code *:type=ThreadPool,*} and
 * Jetty's {@code org.eclipse.jetty.util.thread:type=queuedthreadpool,*} (registered when Jetty's JMX
 * module is on). Gauges {@code container_threads_busy}, {@code container_threads_current},
 * {@code container_threads_max}, tagged with the pool's name; none when no pool is visible.
 */
final class ContainerThreads {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerThreads.class);

    /** The pools bound so far (a handful: one per connector or executor). Guarded by this. */
    private final Set<ObjectName> bound = new java.util.HashSet<>();

    /**
     * Binds the pools not bound yet. Called periodically: Tomcat starts its connectors (and registers
     * their pools) only after the webapps started.
     */
    synchronized void bind(MeterRegistry registry) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (ObjectName n : server.queryNames(new ObjectName("*:type=ThreadPool,*"), null)) {
                if (!bound.contains(n) && pool(registry, server, n, n.getKeyProperty("name"),
                        "currentThreadsBusy", "currentThreadCount", "maxThreads") > 0) {
                    bound.add(n);
                }
            }
            for (ObjectName n : server.queryNames(new ObjectName("org.eclipse.jetty.util.thread:type=queuedthreadpool,*"),
                    null)) {
                if (!bound.contains(n) && pool(registry, server, n, "jetty-" + n.getKeyProperty("id"), "busyThreads",
                        "threads", "maxThreads") > 0) {
                    bound.add(n);
                }
            }
        } catch (MalformedObjectNameException e) {
            throw new IllegalStateException(e);
        }
        LOG.debug("container thread pools bound: {}", bound);
    }

    private static int pool(MeterRegistry registry, MBeanServer server, ObjectName n, String name, String busy,
            String current, String max) {
        Set<String> attrs = Set.of(busy, current, max);
        for (String a : attrs) {
            if (read(server, n, a) < 0) {
                return 0;
            }
        }
        String pool = name == null ? n.toString() : name.replace("\"", "");
        gauge(registry, server, n, "container.threads.busy", busy, pool);
        gauge(registry, server, n, "container.threads.current", current, pool);
        gauge(registry, server, n, "container.threads.max", max, pool);
        return 1;
    }

    private static void gauge(MeterRegistry registry, MBeanServer server, ObjectName n, String meter, String attribute,
            String pool) {
        Gauge.builder(meter, () -> {
            double v = read(server, n, attribute);
            return v < 0 ? Double.NaN : v;
        }).tag("pool", pool).description("Servlet container request threads (" + attribute + ")").register(registry);
    }

    private static double read(MBeanServer server, ObjectName n, String attribute) {
        try {
            Object v = server.getAttribute(n, attribute);
            return v instanceof Number num ? num.doubleValue() : -1;
        } catch (Exception e) {
            return -1;
        }
    }
}
