package io.binaryrepo.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;

/**
 * Renders the status page from the {@code /api/v1/stats} document: every number is an element whose
 * {@code data-stat} names its path in that document, so the inline script (dashboard.js) refreshes
 * the same elements with the same formatting. Styles and script are inlined (no external assets, works
 * offline). Stateless; thread-safe.
 */
final class DashboardPage {
    private static final String CSS = resource("dashboard.css");
    private static final String JS = resource("dashboard.js");
    private static final String[] OUTCOMES = {"hit", "miss", "coalesced", "stale", "passthrough", "not_found", "error"};
    private static final String[] COLOURS = {"#2e7d32", "#1565c0", "#6a1b9a", "#ef6c00", "#00838f", "#757575", "#c62828"};
    static final int WIDTH = 600;
    static final int HEIGHT = 120;

    private DashboardPage() {
    }

    /** @param api the absolute path of {@code /api/v1/stats} for the script */
    static String render(JsonNode stats, String api) {
        StringBuilder h = new StringBuilder(16 * 1024);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<title>binaryrepo</title><style>").append(CSS).append("</style></head>")
                .append("<body data-api=\"").append(esc(api)).append("\"><h1>binaryrepo</h1>")
                .append("<p class=\"muted\">Updated <span id=\"updated\">").append(time(stats.path("time").asLong()))
                .append(" UTC</span> &middot; refreshes every 10 s</p>");
        cards(h, stats);
        repositories(h, stats);
        charts(h, stats);
        errors(h, stats);
        h.append("<script>").append(JS).append("</script></body></html>");
        return h.toString();
    }

    private static void cards(StringBuilder h, JsonNode stats) {
        h.append("<div class=\"cards\"><div class=\"card\"><div class=\"muted\">Cache size</div><div class=\"big\">");
        stat(h, stats, "cache.sizeBytes", "human");
        h.append("</div><div class=\"muted\">of ");
        stat(h, stats, "cache.maxSizeBytes", "human");
        h.append(" (no cap configured: size + free space) &middot; ");
        stat(h, stats, "cache.entries", null);
        h.append(" entries</div><div class=\"bar\"><div data-bar=\"cache.sizeBytes/cache.maxSizeBytes\" style=\"width:")
                .append(String.format(Locale.ROOT, "%.1f", percent(stats.path("cache").path("sizeBytes").asDouble(),
                        stats.path("cache").path("maxSizeBytes").asDouble())))
                .append("%\"></div></div></div><div class=\"card\"><div class=\"muted\">Downloads in flight</div>")
                .append("<div class=\"big\">");
        stat(h, stats, "downloadsInFlight", null);
        h.append("</div></div></div>");
    }

    private static void repositories(StringBuilder h, JsonNode stats) {
        h.append("<h2>Repositories</h2><div class=\"scroll\"><table id=\"repositories\"><thead><tr><th>Repository</th>")
                .append("<th>Requests</th><th>Hit ratio</th><th>From cache (saved), bytes</th>")
                .append("<th>From upstream, bytes</th><th>Downloaded, bytes</th><th>Waiting</th>")
                .append("<th>Quota left</th></tr></thead><tbody>");
        JsonNode repos = stats.path("repositories");
        for (int i = 0; i < repos.size(); i++) {
            String p = "repositories." + i + ".";
            h.append("<tr data-repository=\"").append(esc(repos.get(i).path("name").asText())).append("\"><td>");
            stat(h, stats, p + "name", null);
            h.append(" <span class=\"muted\">");
            stat(h, stats, p + "format", null);
            h.append("</span></td>");
            for (String[] col : new String[][] {{"requests", null}, {"hitRatio", "percent"},
                {"servedFromCacheBytes", null}, {"servedFromUpstreamBytes", null}, {"upstreamBytes", null},
                {"downloadWaiters", null}}) {
                h.append("<td>");
                stat(h, stats, p + col[0], col[1]);
                h.append("</td>");
            }
            h.append("<td>");
            stat(h, stats, p + "rateLimitRemaining", null);
            h.append(" / ");
            stat(h, stats, p + "rateLimitLimit", null);
            h.append("</td></tr>");
        }
        h.append("</tbody></table></div>");
    }

    private static void charts(StringBuilder h, JsonNode stats) {
        JsonNode repos = stats.path("repositories");
        h.append("<h2>Last hour, per minute</h2><div class=\"charts\">");
        for (int i = 0; i < repos.size(); i++) {
            String p = "repositories." + i + ".history.";
            String name = esc(repos.get(i).path("name").asText());
            h.append("<div><div class=\"muted\">").append(name).append(": requests by outcome</div><div class=\"legend\">");
            for (int o = 0; o < OUTCOMES.length; o++) {
                h.append("<span><i style=\"background:").append(COLOURS[o]).append("\"></i>").append(OUTCOMES[o])
                        .append("</span>");
            }
            h.append("</div>");
            String[] series = new String[OUTCOMES.length];
            for (int o = 0; o < OUTCOMES.length; o++) {
                series[o] = p + "outcomes." + OUTCOMES[o];
            }
            svg(h, stats, "requests", series, COLOURS);
            h.append("</div><div><div class=\"muted\">").append(name).append(": bytes saved (served from cache)</div>");
            svg(h, stats, "bytes", new String[] {p + "bytesSaved"}, new String[] {"#2e7d32"});
            h.append("</div>");
        }
        h.append("</div>");
    }

    /** One chart: a polyline per series, all scaled to the largest value among them. */
    private static void svg(StringBuilder h, JsonNode stats, String kind, String[] series, String[] colours) {
        long max = 0;
        for (String s : series) {
            for (JsonNode v : at(stats, s)) {
                max = Math.max(max, v.asLong());
            }
        }
        h.append("<svg data-chart=\"").append(kind).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\"><text data-max x=\"4\" y=\"12\" font-size=\"10\" fill=\"#667085\">max ")
                .append(kind.equals("bytes") ? human(max) : Long.toString(max)).append("/min</text>");
        for (int i = 0; i < series.length; i++) {
            h.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(colours[i])
                    .append("\" data-series=\"").append(series[i]).append("\" points=\"")
                    .append(points(at(stats, series[i]), max)).append("\"/>");
        }
        h.append("</svg>");
    }

    /** The same coordinates as dashboard.js {@code points}. */
    static String points(JsonNode values, long max) {
        StringBuilder b = new StringBuilder();
        double step = (double) WIDTH / (values.size() - 1);
        for (int i = 0; i < values.size(); i++) {
            double y = HEIGHT - 5 - (max > 0 ? values.get(i).asDouble() / max * (HEIGHT - 10) : 0);
            b.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.1f,%.1f", i * step, y));
        }
        return b.toString();
    }

    private static void errors(StringBuilder h, JsonNode stats) {
        h.append("<h2>Last upstream errors</h2><div class=\"scroll\"><table><thead><tr><th>Time (UTC)</th>")
                .append("<th>Repository</th><th>Status</th><th>Request</th></tr></thead><tbody id=\"errors\">");
        for (JsonNode x : stats.path("upstreamErrors")) {
            h.append("<tr><td>").append(time(x.path("time").asLong())).append("</td><td>")
                    .append(esc(x.path("repository").asText())).append("</td><td>").append(esc(x.path("status").asText()))
                    .append("</td><td class=\"path\">").append(esc(x.path("method").asText() + " " + x.path("path").asText()))
                    .append("</td></tr>");
        }
        h.append("</tbody></table></div>");
    }

    /** A number (or text) bound to {@code path}: formatted as dashboard.js {@code text} formats it. */
    private static void stat(StringBuilder h, JsonNode stats, String path, String format) {
        h.append("<span data-stat=\"").append(path).append('"');
        if (format != null) {
            h.append(" data-format=\"").append(format).append('"');
        }
        h.append('>').append(esc(text(at(stats, path), format))).append("</span>");
    }

    static String text(JsonNode v, String format) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return "\u2013";
        }
        if ("percent".equals(format)) {
            return String.format(Locale.ROOT, "%.1f%%", v.asDouble() * 100);
        }
        if ("human".equals(format)) {
            return human(v.asLong());
        }
        return v.asText();
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int i = 0;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return i == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    private static JsonNode at(JsonNode root, String path) {
        JsonNode n = root;
        for (String k : path.split("\\.")) {
            n = n.isArray() ? n.path(Integer.parseInt(k)) : n.path(k);
        }
        return n;
    }

    private static double percent(double v, double max) {
        return max > 0 ? Math.min(100, v / max * 100) : 0;
    }

    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString().replace('T', ' ').substring(0, 19);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String resource(String name) {
        try (InputStream in = DashboardPage.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
