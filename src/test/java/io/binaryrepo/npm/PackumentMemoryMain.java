package io.binaryrepo.npm;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;

/**
 * Writes a generated packument of {@code args[0]} bytes as {@code args[1]} (FULL or ABBREVIATED) to a
 * counting stream and prints the counts and the heap high-water mark; run by {@link PackumentMemoryTest} in
 * a JVM with a heap smaller than the document.
 */
public final class PackumentMemoryMain {
    private PackumentMemoryMain() {
    }

    public static void main(String[] args) throws Exception {
        long size = Long.parseLong(args[0]);
        Variant variant = Variant.valueOf(args[1]);
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
        String upstream = "https://registry.example.com";
        LargePackument in = new LargePackument(size, upstream);
        PackumentWriter.Stats stats = new PackumentWriter(new TarballUrls(URI.create(upstream)), 16 * 1024 * 1024)
                .write(in, variant, "https://cache.example.com/repo/npm", counting);
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.println("versions=" + stats.versions() + " generated=" + in.versions() + " rewritten="
                + stats.rewritten() + " written=" + written[0] + " peakHeapBytes=" + peak);
    }
}
