package io.binaryrepo.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;

/**
 * One scrape of binaryrepo's {@code /metrics}, read with a Prometheus text-format parser (hawkular's
 * prometheus-scraper), as Prometheus would read it: metric families by name, samples by labels.
 */
public final class Scrape {
    private final Map<String, MetricFamily> families;
    private final String text;

    private Scrape(Map<String, MetricFamily> families, String text) {
        this.families = families;
        this.text = text;
    }

    /** GETs {@code /metrics} of {@code p} and parses it; fails unless it is 200 Prometheus text. */
    public static Scrape of(HttpClient client, ProxyServer p) throws IOException, InterruptedException {
        return of(client, p.url());
    }

    /** GETs {@code base + "/metrics"} and parses it. */
    public static Scrape of(HttpClient client, String base) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("text/plain;version=0.0.4;charset=utf-8", r.headers().firstValue("Content-Type").orElse("")
                .replace(" ", "").toLowerCase(java.util.Locale.ROOT), "Prometheus text format 0.0.4");
        Map<String, MetricFamily> families = new HashMap<>();
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(new ByteArrayInputStream(r.body()));
        for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) {
            families.put(f.getName(), f);
        }
        return new Scrape(families, new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    public boolean has(String family) {
        return families.containsKey(family);
    }

    public MetricFamily family(String name) {
        MetricFamily f = families.get(name);
        assertNotNull(f, "no metric family " + name + " in:\n" + text);
        return f;
    }

    /** The one sample of {@code family} whose labels include {@code labels} (name/value pairs). */
    public Metric sample(String family, String... labels) {
        Map<String, String> want = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            want.put(labels[i], labels[i + 1]);
        }
        List<Metric> found = family(family).getMetrics().stream()
                .filter(m -> m.getLabels().entrySet().containsAll(want.entrySet())).toList();
        assertEquals(1, found.size(), family + " " + want + ": " + found.size() + " samples in:\n" + text);
        return found.get(0);
    }

    /** The value of a counter or gauge sample. */
    public double value(String family, String... labels) {
        Metric m = sample(family, labels);
        if (m instanceof Counter c) {
            return c.getValue();
        }
        if (m instanceof Gauge g) {
            return g.getValue();
        }
        throw new AssertionError(family + " is neither counter nor gauge: " + m.getClass());
    }

    public Histogram histogram(String family, String... labels) {
        return (Histogram) sample(family, labels);
    }

    public String text() {
        return text;
    }
}
