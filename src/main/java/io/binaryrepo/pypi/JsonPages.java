package io.binaryrepo.pypi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * PEP 691 JSON pages: rewritten while they stream in from upstream, searched for one file's entry, and
 * turned into PEP 503 HTML for clients that ask for HTML. Streaming: the page is read token by token and only
 * one entry of {@code files} is a tree at a time, so memory is bounded by the largest entry, never by the
 * page. Every key is kept as upstream sent it (PEP 700's {@code upload-time}, {@code size},
 * {@code versions}, and keys of later versions). Stateless.
 */
final class JsonPages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private JsonPages() {
    }

    /** What is done with one {@code files} entry: returns it (changed or not), or null to drop it. */
    @FunctionalInterface
    interface EntryFilter {
        ObjectNode apply(ObjectNode entry) throws IOException;
    }

    /**
     * Rewrites a project page: each file's {@code url} on one of {@code hosts} becomes its {@link FileLink},
     * relative to the proxied page; entries on other hosts, or with a query, are dropped (see
     * {@link HtmlPages#rewriteProject}). Closes neither stream.
     *
     * @throws com.fasterxml.jackson.core.JsonProcessingException for a body that is not a JSON object
     */
    static HtmlPages.Stats rewriteProject(InputStream in, OutputStream out, String project, UpstreamHosts hosts,
            URI page) throws IOException {
        HtmlPages.Stats stats = new HtmlPages.Stats();
        copy(in, out, e -> {
            String url = e.path("url").asText(null);
            if (url == null) {
                stats.dropped++;
                return null;
            }
            int hash = url.indexOf('#');
            Optional<FileLink> link = FileLink.of(project, hosts, page, hash < 0 ? url : url.substring(0, hash));
            if (link.isEmpty()) {
                stats.dropped++;
                return null;
            }
            stats.proxied++;
            e.put("url", link.get().relative() + (hash < 0 ? "" : url.substring(hash)));
            return e;
        });
        return stats;
    }

    /** Checks and copies the project list (it has no URLs to rewrite). Closes neither stream. */
    static void copyRoot(InputStream in, OutputStream out) throws IOException {
        copy(in, out, e -> e);
    }

    private static void copy(InputStream in, OutputStream out, EntryFilter files) throws IOException {
        try (JsonParser p = parser(in); JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "a simple API page must be a JSON object");
            }
            g.writeStartObject();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                g.writeFieldName(name);
                if (name.equals("files") && t == JsonToken.START_ARRAY) {
                    g.writeStartArray();
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        ObjectNode e = files.apply(p.readValueAsTree());
                        if (e != null) {
                            g.writeTree(e);
                        }
                    }
                    g.writeEndArray();
                } else {
                    g.copyCurrentStructure(p);
                }
            }
            g.writeEndObject();
        }
    }

    /** The entry of the file linked as {@code link} in a stored (rewritten) JSON project page. */
    static Optional<FileEntry> find(byte[] stored, FileLink link) throws IOException {
        String wanted = link.relative();
        FileEntry[] found = new FileEntry[1];
        eachFile(stored, e -> {
            String url = e.path("url").asText("");
            int hash = url.indexOf('#');
            if (found[0] == null && (hash < 0 ? url : url.substring(0, hash)).equals(wanted)) {
                found[0] = entry(e);
            }
        });
        return Optional.ofNullable(found[0]);
    }

    /** Reads what the client needs of one entry. */
    static FileEntry entry(JsonNode e) {
        Map<String, String> hashes = new LinkedHashMap<>();
        e.path("hashes").fields().forEachRemaining(f -> hashes.put(f.getKey(), f.getValue().asText()));
        JsonNode meta = e.has("core-metadata") ? e.get("core-metadata") : e.path("dist-info-metadata");
        boolean advertised = meta.isObject() || meta.asBoolean(false);
        FileEntry.Hash metaHash = null;
        if (meta.isObject()) {
            Map<String, String> m = new LinkedHashMap<>();
            meta.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asText()));
            metaHash = FileEntry.Hash.preferred(m).orElse(null);
        }
        long size = e.path("size").canConvertToLong() && e.path("size").asLong() >= 0 ? e.path("size").asLong() : -1;
        return new FileEntry(FileEntry.Hash.preferred(hashes).orElse(null), size, advertised, metaHash);
    }

    /** Calls {@code each} for every entry of {@code files}, in order. */
    static void eachFile(byte[] stored, IoConsumer<ObjectNode> each) throws IOException {
        try (JsonParser p = parser(new ByteArrayInputStream(stored))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("files") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        each.accept(p.readValueAsTree());
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    /** Calls {@code each} for every project name of a stored project list. */
    static void eachProject(byte[] stored, IoConsumer<String> each) throws IOException {
        try (JsonParser p = parser(new ByteArrayInputStream(stored))) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("projects") && t == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode n = p.readValueAsTree();
                        each.accept(n.path("name").asText(""));
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    /** A consumer that may throw {@link IOException}. */
    @FunctionalInterface
    interface IoConsumer<T> {
        void accept(T t) throws IOException;
    }

    private static JsonParser parser(InputStream in) throws IOException {
        JsonParser p = FACTORY.createParser(in);
        p.setCodec(JSON);
        return p;
    }
}
