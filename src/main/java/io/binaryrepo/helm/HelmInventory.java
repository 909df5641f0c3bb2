package io.binaryrepo.helm;

import io.binaryrepo.cache.Storage;
import io.binaryrepo.repo.Documents;
import io.binaryrepo.repo.Inventory;
import io.binaryrepo.repo.KeyInventory;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Removal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * What one Helm repository holds (issue 10's admin API): {@code helm/REPO/index.yaml} and
 * {@code helm/REPO/charts/TOKEN[.prov|.doc]}, a chart named by the token of its index entry
 * ({@link ChartRef#token()}). Listed charts are named by their file name in the cached index
 * ({@code nginx-1.2.3.tgz}), else by their key. Purge and prefetch take {@code chart} or
 * {@code chart:version} and find the chart files in the index by the name {@code helm package} gives them,
 * {@code CHART-VERSION.tgz} (a version starts with a digit, optionally after a {@code v}). A purge removes
 * the chart files (and their provenance files) of the current index; the index itself stays (it names
 * them, and a chart that changes upstream gets a new digest and so a new token when the index is
 * revalidated). Thread-safe.
 */
final class HelmInventory implements Inventory {
    private static final Pattern CHART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
    private static final Pattern VERSION = Pattern.compile("v?[0-9][A-Za-z0-9.+_-]{0,127}");

    private final String prefix;
    private final HelmIndex index;
    private final Storage storage;
    private final Documents documents;

    HelmInventory(String repo, HelmIndex index, Storage storage, Documents documents) {
        this.prefix = "helm/" + repo + "/";
        this.index = index;
        this.storage = storage;
        this.documents = documents;
    }

    @Override
    public String prefix() {
        return prefix;
    }

    @Override
    public String listingPrefix(String clientPrefix) {
        return prefix + KeyInventory.checkedPrefix(clientPrefix);
    }

    @Override
    public Listed describe(String key) {
        String rest = key.substring(prefix.length());
        if (rest.startsWith("charts/")) {
            String name = rest.substring("charts/".length());
            int dot = name.indexOf('.');
            String token = dot < 0 ? name : name.substring(0, dot);
            String ext = dot < 0 ? "" : name.substring(dot);
            Optional<String> file = index.cached().flatMap(i -> i.file(token));
            if (file.isPresent()) {
                return new Listed(file.get() + (ext.equals(".prov") ? ext : ""), key);
            }
        }
        return new Listed(rest, key);
    }

    @Override
    public Purge purge(String path) {
        Predicate<String> files = files(path);
        return () -> {
            Removal r = new Removal(storage, documents);
            Optional<IndexView> cached = index.cached();
            List<IndexView.Chart> charts = cached.isPresent() ? cached.get().charts(files) : List.of();
            for (IndexView.Chart c : charts) {
                String key = prefix + "charts/" + c.token();
                r.entry(key);
                r.entry(key + ".prov");
                r.entry(key + ".doc");
            }
            return r.tally();
        };
    }

    @Override
    public Prefetch prefetch(String reference, Set<String> platforms) {
        if (reference == null || reference.indexOf(':') < 0) {
            throw new ProxyError(400, "BAD_REQUEST", "prefetch needs chart:version, not '" + abbreviate(reference) + "'");
        }
        Predicate<String> files = files(reference);
        return fetcher -> {
            fetcher.planned(1);
            if (fetcher.get("index.yaml", Map.of(), false).isEmpty()) {
                return;
            }
            Optional<IndexView> cached = index.cached();
            List<IndexView.Chart> charts = cached.isPresent() ? cached.get().charts(files) : List.of();
            if (charts.isEmpty()) {
                fetcher.error("no chart " + reference + " in the index of this repository");
                return;
            }
            fetcher.planned(charts.size());
            for (IndexView.Chart c : charts) {
                fetcher.get(c.path(), Map.of(), false);
            }
        };
    }

    /** The chart files {@code chart} or {@code chart:version} names. */
    private static Predicate<String> files(String text) {
        if (text == null || text.isEmpty()) {
            throw new ProxyError(400, "BAD_REQUEST", "empty chart reference (expected chart or chart:version)");
        }
        int colon = text.indexOf(':');
        String chart = colon < 0 ? text : text.substring(0, colon);
        String version = colon < 0 ? null : text.substring(colon + 1);
        if (!CHART.matcher(chart).matches() || version != null && !VERSION.matcher(version).matches()) {
            throw new ProxyError(400, "BAD_REQUEST", "'" + abbreviate(text) + "' is not chart or chart:version "
                    + "(chart [A-Za-z0-9._-], version starting with a digit)");
        }
        if (version != null) {
            String file = chart + "-" + version + ".tgz";
            return file::equals;
        }
        String start = chart + "-";
        return f -> f.startsWith(start) && f.endsWith(".tgz")
                && VERSION.matcher(f.substring(start.length(), f.length() - ".tgz".length())).matches();
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 100 ? s : s.substring(0, 100) + "...";
    }
}
