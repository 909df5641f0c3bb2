package io.binaryrepo.helm;

import java.io.OutputStream;
import java.net.URI;

/**
 * Rewrites a generated index of {@code args[0]} bytes to a discarding stream and prints the stats and
 * the heap high-water mark; run by {@link IndexRewriterMemoryTest} in a JVM with a small heap.
 */
public final class IndexRewriterMemoryMain {
    private IndexRewriterMemoryMain() {
    }

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[0]);
        long[] written = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                written[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                written[0] += len;
            }
        };
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        IndexRewriter.Stats stats = new IndexRewriter(URI.create("https://charts.example.com/stable"))
                .rewrite(LargeIndex.of(size), counting);
        long cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1_000_000;
        long peak = 0;
        for (var pool : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == java.lang.management.MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("entries=" + stats.entries() + " proxied=" + stats.proxied() + " maxHeldChars="
                + stats.maxHeldChars() + " written=" + written[0] + " peakHeapBytes=" + peak + " cpuMs=" + cpuMs);
    }
}
