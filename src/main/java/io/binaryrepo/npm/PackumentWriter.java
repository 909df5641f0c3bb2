package io.binaryrepo.npm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Set;

/**
 * Writes a packument as a client gets it, token by token (Jackson's streaming parser feeding its
 * generator): every {@code versions.*.dist.tarball} on the upstream host rewritten to binaryrepo's public
 * URL ({@link TarballUrls}), and for the {@link Variant#ABBREVIATED} variant only the fields installing needs
 * (<a href="https://github.com/npm/registry/blob/main/docs/responses/package-metadata.md#abbreviated-version-object">the
 * abbreviated version object</a>), with {@code modified} taken from {@code time.modified} and
 * {@code hasInstallScript} derived from {@code scripts} when upstream did not set it.
 *
 * <p>Memory: no document tree is ever built; what is held is Jackson's buffers (8 KB each) and the current
 * token. The largest single token (a {@code readme} string) is bounded by {@code maxTokenChars}; a longer one
 * fails the write. Output is deterministic: the same input gives the same bytes, so a length and digest
 * computed in one pass describe the next. Thread-safe (no state between calls).
 */
final class PackumentWriter {
    /** Version fields the abbreviated document keeps (npm registry's corgi format). */
    static final Set<String> ABBREVIATED_VERSION_FIELDS = Set.of("name", "version", "deprecated", "dependencies",
            "optionalDependencies", "devDependencies", "bundleDependencies", "bundledDependencies",
            "peerDependencies", "peerDependenciesMeta", "acceptDependencies", "bin", "directories", "dist",
            "engines", "_hasShrinkwrap", "hasInstallScript", "cpu", "os", "libc", "funding", "license");
    private static final Set<String> INSTALL_SCRIPTS = Set.of("preinstall", "install", "postinstall");

    /** What a write did. */
    record Stats(int versions, int rewritten, int foreign) {
    }

    private final JsonFactory json;
    private final TarballUrls urls;

    /** @param maxTokenChars the longest string or name accepted (bounds the memory of one token) */
    PackumentWriter(TarballUrls urls, int maxTokenChars) {
        this.urls = urls;
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxTokenChars)
                        .maxNameLength(Math.min(maxTokenChars, 64 * 1024)).maxNestingDepth(200).build())
                .build();
    }

    /**
     * Writes {@code in} (a packument) to {@code out} as {@code variant}. Neither stream is closed.
     *
     * @param repositoryUrl the public URL of the repository tarballs are rewritten to, without a trailing slash
     * @throws com.fasterxml.jackson.core.JsonProcessingException when {@code in} is not one JSON object
     * @throws IOException when reading or writing fails
     */
    Stats write(InputStream in, Variant variant, String repositoryUrl, OutputStream out) throws IOException {
        int[] counts = new int[3];
        try (JsonParser p = json.createParser(in); JsonGenerator g = json.createGenerator(out)) {
            p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "a packument must be a JSON object");
            }
            g.writeStartObject();
            String modified = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("versions") && value == JsonToken.START_OBJECT) {
                    g.writeFieldName(field);
                    versions(p, g, variant, repositoryUrl, counts);
                } else if (variant == Variant.FULL || field.equals("name") || field.equals("dist-tags")) {
                    g.writeFieldName(field);
                    g.copyCurrentStructure(p);
                } else if (field.equals("time") && value == JsonToken.START_OBJECT) {
                    modified = modified(p);
                } else {
                    p.skipChildren();
                }
            }
            if (modified != null) {
                g.writeStringField("modified", modified);
            }
            g.writeEndObject();
            if (p.nextToken() != null) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "trailing content after the packument");
            }
        }
        return new Stats(counts[0], counts[1], counts[2]);
    }

    /**
     * Writes the manifest of one version ({@code versions[version]}, tarball rewritten) to {@code out}, as the
     * registry answers {@code /<name>/<version>}. Neither stream is closed.
     *
     * @return false (and nothing written) when the packument does not list {@code version}
     */
    boolean writeVersion(InputStream in, String version, String repositoryUrl, OutputStream out) throws IOException {
        try (JsonParser p = json.createParser(in); JsonGenerator g = json.createGenerator(out)) {
            p.disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new com.fasterxml.jackson.core.JsonParseException(p, "a packument must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean versions = p.currentName().equals("versions");
                if (p.nextToken() != JsonToken.START_OBJECT || !versions) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    boolean wanted = p.currentName().equals(version);
                    if (p.nextToken() == JsonToken.START_OBJECT && wanted) {
                        version(p, g, Variant.FULL, repositoryUrl, new int[3]);
                        return true;
                    }
                    p.skipChildren();
                }
            }
            return false;
        }
    }

    private void versions(JsonParser p, JsonGenerator g, Variant variant, String repositoryUrl, int[] counts)
            throws IOException {
        g.writeStartObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            g.writeFieldName(p.currentName());
            if (p.nextToken() != JsonToken.START_OBJECT) {
                g.copyCurrentStructure(p);
                continue;
            }
            counts[0]++;
            version(p, g, variant, repositoryUrl, counts);
        }
        g.writeEndObject();
    }

    /** One version object; the parser is at its START_OBJECT. */
    private void version(JsonParser p, JsonGenerator g, Variant variant, String repositoryUrl, int[] counts)
            throws IOException {
        g.writeStartObject();
        boolean hasInstallScriptField = false;
        boolean installScript = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            boolean keep = variant == Variant.FULL || ABBREVIATED_VERSION_FIELDS.contains(field);
            hasInstallScriptField |= field.equals("hasInstallScript");
            if (field.equals("dist") && value == JsonToken.START_OBJECT) {
                g.writeFieldName(field);
                dist(p, g, repositoryUrl, counts);
            } else if (keep) {
                g.writeFieldName(field);
                g.copyCurrentStructure(p);
            } else if (field.equals("scripts") && value == JsonToken.START_OBJECT) {
                installScript |= hasInstallScript(p);
            } else if (field.equals("gypfile") && value == JsonToken.VALUE_TRUE) {
                installScript = true; // npm runs node-gyp rebuild for a binding.gyp without install script
            } else {
                p.skipChildren();
            }
        }
        if (variant == Variant.ABBREVIATED && installScript && !hasInstallScriptField) {
            g.writeBooleanField("hasInstallScript", true);
        }
        g.writeEndObject();
    }

    private void dist(JsonParser p, JsonGenerator g, String repositoryUrl, int[] counts) throws IOException {
        g.writeStartObject();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            g.writeFieldName(field);
            if (field.equals("tarball") && value == JsonToken.VALUE_STRING) {
                String url = p.getText();
                String rewritten = urls.rewrite(url, repositoryUrl);
                counts[rewritten.equals(url) ? 2 : 1]++;
                g.writeString(rewritten);
            } else {
                g.copyCurrentStructure(p);
            }
        }
        g.writeEndObject();
    }

    private static boolean hasInstallScript(JsonParser p) throws IOException {
        boolean found = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            found |= INSTALL_SCRIPTS.contains(name) && v == JsonToken.VALUE_STRING && !p.getText().isBlank();
            p.skipChildren();
        }
        return found;
    }

    private static String modified(JsonParser p) throws IOException {
        String modified = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (name.equals("modified") && v == JsonToken.VALUE_STRING) {
                modified = p.getText();
            }
            p.skipChildren();
        }
        return modified;
    }
}
