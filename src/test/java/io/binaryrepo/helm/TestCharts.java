package io.binaryrepo.helm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Real Helm chart archives and indexes for tests, built in memory. Stateless. */
final class TestCharts {
    private TestCharts() {
    }

    /**
     * A chart {@code .tgz} Helm can load and render: {@code Chart.yaml}, {@code values.yaml} and one
     * ConfigMap template whose data names the chart and version (so a rendered manifest proves which
     * archive was used).
     */
    static byte[] chart(String name, String version) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(name + "/Chart.yaml", "apiVersion: v2\nname: " + name + "\nversion: " + version
                + "\nappVersion: \"1.0\"\ndescription: Test chart " + name + "\ntype: application\n");
        files.put(name + "/values.yaml", "greeting: hello\n");
        files.put(name + "/templates/configmap.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                + "  name: {{ .Release.Name }}-" + name + "\ndata:\n  chart: \"" + name + "-" + version + "\"\n"
                + "  greeting: {{ .Values.greeting | quote }}\n");
        return tgz(files);
    }

    /** An index entry (YAML lines under {@code entries.<name>}) for a chart at {@code url}. */
    static String entry(String name, String version, String url, byte[] tgz) {
        return "  - apiVersion: v2\n    appVersion: \"1.0\"\n    created: \"2024-05-06T07:08:09Z\"\n"
                + "    description: Test chart " + name + "\n    digest: " + ChartServer.sha256(tgz) + "\n"
                + "    name: " + name + "\n    type: application\n    urls:\n    - " + url + "\n    version: " + version + "\n";
    }

    /** A whole index.yaml: {@code entries} maps chart names to their entry lines. */
    static String index(Map<String, String> entries) {
        StringBuilder sb = new StringBuilder("apiVersion: v1\nentries:\n");
        entries.forEach((name, lines) -> sb.append("  ").append(name).append(":\n").append(lines));
        return sb.append("generated: \"2024-05-06T07:08:09Z\"\n").toString();
    }

    /** A gzipped POSIX ustar archive of {@code files} (path → UTF-8 content). */
    static byte[] tgz(Map<String, String> files) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
                for (Map.Entry<String, String> f : files.entrySet()) {
                    byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
                    gz.write(header(f.getKey(), content.length));
                    gz.write(content);
                    gz.write(new byte[(512 - content.length % 512) % 512]);
                }
                gz.write(new byte[1024]); // end of archive: two zero blocks
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] header(String name, int size) {
        byte[] h = new byte[512];
        put(h, 0, name, 100);
        put(h, 100, "0000644", 8);
        put(h, 108, "0000000", 8);
        put(h, 116, "0000000", 8);
        put(h, 124, String.format("%011o", size), 12);
        put(h, 136, String.format("%011o", 1_700_000_000L), 12);
        h[156] = '0';
        put(h, 257, "ustar", 6);
        put(h, 263, "00", 2);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        int sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum), 6);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    private static void put(byte[] h, int at, String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, Math.min(b.length, max));
    }
}
