package io.binaryrepo.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/<name>/tags/list}: a document like a tag (served within the TTL, revalidated after it,
 * stale if upstream fails). Answers as the OCI distribution spec wants even when the upstream does not:
 * tags in lexical order, {@code name} the name the client asked for, {@code n=0} an empty list, at most
 * {@code n} tags after {@code last}. Paginated requests ({@code ?n=&last=}) are passed through uncached (their
 * keys would be the client's choice), and upstream's {@code Link: <...>; rel="next"} is rewritten to the
 * client's own path (or made when upstream ignored {@code n}). Thread-safe.
 */
final class DockerTagLists {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");

    private final DockerLinks links;
    private final UpstreamClient upstream;
    private final MutableDocuments.Policy policy;
    private final MutableDocuments.Policy paginated = MutableDocuments.Policy.uncached(Manifest.MAX_SIZE);

    DockerTagLists(DockerLinks links, UpstreamClient upstream, Duration ttl) {
        this.links = links;
        this.upstream = upstream;
        this.policy = new MutableDocuments.Policy(ttl, Duration.ZERO, Manifest.MAX_SIZE);
    }

    /**
     * @param name the upstream name; {@code clientName} the one the client asked for (Docker Hub's
     *     {@code library/} prefix added or not)
     * @param requestPath the client's raw path, for the {@code Link} header
     */
    Resource resource(String name, String clientName, String query, String requestPath) {
        // Other parameters (containerd's ?ns=docker.io) do not change the answer.
        String pagination = query == null ? "" : sanitizedQuery(query);
        Page page = Page.of(pagination);
        if (page.n() == 0) {
            return new Resource.Fixed(200, "application/json", Map.of(), render(clientName, List.of()));
        }
        String suffix = pagination.isEmpty() ? "" : "?" + pagination;
        String what = "tag list of " + name;
        return new Resource.Document(links.repoKey(name) + "/_taglist", pagination.isEmpty() ? policy : paginated,
                UpstreamDocuments.conditionalGet(h -> upstream.send("GET", "/v2/" + name + "/tags/list" + suffix, h,
                        DockerResolver.scope(name)), r -> validated(r.readBody(Manifest.MAX_SIZE)), what,
                        Set.of("Link")),
                d -> answer(d, clientName, page, requestPath),
                DockerResolver.failures("NAME_UNKNOWN", what));
    }

    /** The requested page: {@code n} (-1: all) and {@code last} (null: from the start). */
    private record Page(int n, String last) {
        static Page of(String pagination) {
            int n = -1;
            String last = null;
            for (String p : pagination.isEmpty() ? new String[0] : pagination.split("&")) {
                int eq = p.indexOf('=');
                if (p.startsWith("n=")) {
                    n = Integer.parseInt(p.substring(eq + 1));
                } else if (p.startsWith("last=")) {
                    last = p.substring(eq + 1);
                }
            }
            return new Page(n, last);
        }
    }

    private static Resource.Rendered answer(MutableDocuments.Document d, String clientName, Page page,
            String requestPath) throws IOException {
        List<String> tags = tags(d.body());
        tags.sort(null);
        if (page.last() != null) {
            tags.removeIf(t -> t.compareTo(page.last()) <= 0);
        }
        String link = d.headers().get("Link");
        String next = link == null ? null : rewrite(link, requestPath);
        if (page.n() > 0 && tags.size() > page.n()) {
            tags = new ArrayList<>(tags.subList(0, page.n()));
            if (next == null) {
                next = "<" + requestPath + "?n=" + page.n() + "&last=" + tags.get(tags.size() - 1) + ">; rel=\"next\"";
            }
        }
        return Resource.Rendered.bytes(render(clientName, tags), "application/json",
                next == null ? Map.of() : Map.of("Link", next));
    }

    /** Upstream's next link with its pagination kept and its path replaced by the client's own. */
    static String rewrite(String link, String requestPath) {
        Matcher m = NEXT.matcher(link);
        if (!m.find()) {
            return null;
        }
        String target = m.group(1);
        int q = target.indexOf('?');
        String query = q < 0 ? "" : sanitizedQuery(target.substring(q + 1));
        return query.isEmpty() ? null : "<" + requestPath + "?" + query + ">; rel=\"next\"";
    }

    private static byte[] render(String name, List<String> tags) {
        ObjectNode root = JSON.createObjectNode();
        root.put("name", name);
        tags.forEach(root.putArray("tags")::add);
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> tags(byte[] body) throws IOException {
        List<String> tags = new ArrayList<>();
        JsonNode list = JSON.readTree(body).path("tags");
        for (JsonNode t : list) {
            tags.add(t.asText());
        }
        return tags;
    }

    /** Refuses what is not a tag list before it is cached (an error page must not stay). */
    private static byte[] validated(byte[] body) throws UpstreamException {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.isObject() && (n.path("tags").isArray() || n.path("tags").isNull() || !n.has("tags"))) {
                return body;
            }
        } catch (IOException e) {
            // not JSON: refused below
        }
        throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream sent a tag list that is not JSON", null);
    }

    /** Keeps only the spec's pagination parameters, with safe values. */
    static String sanitizedQuery(String query) {
        StringBuilder out = new StringBuilder();
        for (String p : query.split("&")) {
            int eq = p.indexOf('=');
            String k = eq < 0 ? p : p.substring(0, eq);
            String v = eq < 0 ? "" : p.substring(eq + 1);
            if ((k.equals("n") && v.matches("\\d{1,6}")) || (k.equals("last") && v.matches("[A-Za-z0-9_.-]{1,128}"))) {
                out.append(out.length() == 0 ? "" : "&").append(k).append('=').append(v);
            }
        }
        return out.toString();
    }
}
