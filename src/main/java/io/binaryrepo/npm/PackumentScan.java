package io.binaryrepo.npm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Looks things up in a packument without building it as a tree (Jackson's streaming parser; memory is
 * its buffers and the current token, bounded by {@code maxTokenChars}). Thread-safe.
 */
final class PackumentScan {

    /**
     * A version's {@code dist} fields that serve a tarball request.
     *
     * @param version the version whose tarball it is
     * @param integrity {@code dist.integrity}, or null
     * @param shasum {@code dist.shasum}, or null
     */
    record Dist(String version, String integrity, String shasum) {
    }

    /** What a packument says about its name and shape. */
    record Summary(String name, int versions) {
    }

    private final JsonFactory json;
    private final TarballUrls urls;

    PackumentScan(TarballUrls urls, int maxTokenChars) {
        this.urls = urls;
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxTokenChars)
                        .maxNameLength(Math.min(maxTokenChars, 64 * 1024)).maxNestingDepth(200).build())
                .build();
    }

    /**
     * The {@code name} and number of versions of a packument, reading all of it: proves it is one well-formed
     * JSON object whose {@code versions} is an object.
     *
     * @throws com.fasterxml.jackson.core.JsonProcessingException when it is not
     */
    Summary summary(InputStream in) throws IOException {
        try (JsonParser p = open(in)) {
            String name = null;
            int versions = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("name") && v == JsonToken.VALUE_STRING) {
                    name = p.getText();
                } else if (field.equals("versions")) {
                    if (v != JsonToken.START_OBJECT) {
                        throw new com.fasterxml.jackson.core.JsonParseException(p, "versions is not an object");
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        p.nextToken();
                        p.skipChildren();
                        versions++;
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing content after the packument");
            }
            return new Summary(name, versions);
        }
    }

    /**
     * The version whose {@code dist.tarball} maps (through {@link TarballUrls#relative}) to {@code relativePath},
     * e.g. {@code @types/node/-/node-20.1.0.tgz}.
     */
    Optional<Dist> tarball(InputStream in, String relativePath) throws IOException {
        try (JsonParser p = open(in)) {
            if (!toField(p, "versions")) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String version = p.currentName();
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    continue;
                }
                Optional<Dist> d = dist(p, version, relativePath);
                if (d.isPresent()) {
                    return d;
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The version {@code versionOrTag} names: itself when the packument lists it, else the version its
     * {@code dist-tags} entry points at; empty when neither.
     */
    Optional<String> resolve(InputStream in, String versionOrTag) throws IOException {
        String tagged = null;
        boolean listed = false;
        try (JsonParser p = open(in)) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("dist-tags") && v == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String tag = p.currentName();
                        if (p.nextToken() == JsonToken.VALUE_STRING && tag.equals(versionOrTag)) {
                            tagged = p.getText();
                        }
                        p.skipChildren();
                    }
                } else if (field.equals("versions") && v == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        listed |= p.currentName().equals(versionOrTag);
                        p.nextToken();
                        p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
        return listed ? Optional.of(versionOrTag) : Optional.ofNullable(tagged);
    }

    /** Inside one version object: its dist, when its tarball is {@code relativePath}. Consumes the object. */
    private Optional<Dist> dist(JsonParser p, String version, String relativePath) throws IOException {
        Optional<Dist> found = Optional.empty();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            if (p.nextToken() != JsonToken.START_OBJECT || !field.equals("dist")) {
                p.skipChildren();
                continue;
            }
            String tarball = null;
            String integrity = null;
            String shasum = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String f = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_STRING) {
                    switch (f) {
                        case "tarball" -> tarball = p.getText();
                        case "integrity" -> integrity = p.getText();
                        case "shasum" -> shasum = p.getText();
                        default -> { }
                    }
                }
                p.skipChildren();
            }
            if (tarball != null && relativePath.equals(urls.relative(tarball))) {
                found = Optional.of(new Dist(version, integrity, shasum));
            }
        }
        return found;
    }

    private JsonParser open(InputStream in) throws IOException {
        JsonParser p = json.createParser(in);
        if (p.nextToken() != JsonToken.START_OBJECT) {
            p.close();
            throw new com.fasterxml.jackson.core.JsonParseException(p, "a packument must be a JSON object");
        }
        return p;
    }

    /** Advances to the value of top-level {@code name}; false when the document has none. */
    private static boolean toField(JsonParser p, String name) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (field.equals(name) && v == JsonToken.START_OBJECT) {
                return true;
            }
            p.skipChildren();
        }
        return false;
    }
}
