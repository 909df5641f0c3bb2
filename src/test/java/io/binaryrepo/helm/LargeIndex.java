package io.binaryrepo.helm;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A generated index.yaml of any size, produced as it is read (never held in memory): charts of ten
 * versions each, entries shaped like those of large public indexes, every chart URL absolute on a
 * release download host.
 */
final class LargeIndex {
    private LargeIndex() {
    }

    /** A generated index of about {@code targetBytes}: many charts, many versions, absolute URLs. */
    static InputStream of(long targetBytes) {
        return new InputStream() {
            private byte[] chunk = "apiVersion: v1\nentries:\n".getBytes(StandardCharsets.UTF_8);
            private int pos;
            private long produced;
            private int n;
            private boolean done;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                while (pos >= chunk.length) {
                    if (done) {
                        return -1;
                    }
                    if (produced >= targetBytes) {
                        chunk = "generated: \"2024-01-01T00:00:00Z\"\n".getBytes(StandardCharsets.UTF_8);
                        done = true;
                    } else {
                        chunk = nextChart(n++);
                    }
                    pos = 0;
                }
                int k = Math.min(len, chunk.length - pos);
                System.arraycopy(chunk, pos, b, off, k);
                pos += k;
                produced += k;
                return k;
            }
        };
    }

    private static final String HEX = "0123456789abcdef";

    private static byte[] nextChart(int i) {
        StringBuilder sb = new StringBuilder("  chart-").append(i).append(":\n");
        for (int v = 0; v < 10; v++) {
            sb.append("  - apiVersion: v2\n    appVersion: 1.").append(v).append("0\n")
                    .append("    created: \"2024-01-02T03:04:05.123456789Z\"\n")
                    .append("    description: A Helm chart for Kubernetes, number ").append(i)
                    .append(", with a description long enough to look like the real thing in public indexes.\n")
                    .append("    digest: ").append(HEX.repeat(4).substring(0, 48)).append(String.format("%016x", (long) i * 16 + v))
                    .append('\n')
                    .append("    home: https://example.com/charts/chart-").append(i).append('\n')
                    .append("    keywords:\n    - web\n    - database\n")
                    .append("    maintainers:\n    - email: team@example.com\n      name: Team\n")
                    .append("    name: chart-").append(i).append('\n')
                    .append("    urls:\n    - https://github.com/example/charts/releases/download/chart-").append(i)
                    .append("-1.").append(v).append(".0/chart-").append(i).append("-1.").append(v).append(".0.tgz\n")
                    .append("    version: 1.").append(v).append(".0\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

}
