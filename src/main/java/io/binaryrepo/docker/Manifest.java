package io.binaryrepo.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A manifest or index exactly as upstream sent it: the bytes (never re-serialized, so its digest
 * stays valid), its media type and its digest. Immutable (the array is not copied: never modify it).
 */
record Manifest(Digest digest, String mediaType, byte[] body) {
    /** distribution's own limit; manifests are metadata and are held in memory. */
    static final int MAX_SIZE = 4 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String DOCKER_V1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    static final String DOCKER_V1 = "application/vnd.docker.distribution.manifest.v1+json";
    /** Sent upstream when the client names no media type: every manifest type a registry may have. */
    static final String DEFAULT_ACCEPT = String.join(", ", OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST,
            DOCKER_V1_SIGNED, DOCKER_V1);

    /**
     * The digests this manifest references: config and layers of an image manifest, child manifests
     * of an index, layers of a schema 1 manifest. Used to record that upstream confirmed them for a
     * repository. An unparseable body references nothing.
     */
    List<Digest> references() {
        List<Digest> result = new ArrayList<>();
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            return result;
        }
        if (root == null || !root.isObject()) {
            return result;
        }
        add(result, root.path("config").path("digest"));
        for (String list : List.of("layers", "manifests", "blobs")) {
            for (JsonNode n : root.path(list)) {
                add(result, n.path("digest"));
            }
        }
        for (JsonNode n : root.path("fsLayers")) {
            add(result, n.path("blobSum"));
        }
        return result;
    }

    /** The {@code mediaType} field of the body, for upstreams that send no usable Content-Type. */
    static String mediaTypeOf(byte[] body) {
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null && root.hasNonNull("mediaType")) {
                return root.get("mediaType").asText();
            }
            if (root != null && root.path("schemaVersion").asInt() == 1) {
                return root.has("signatures") ? DOCKER_V1_SIGNED : DOCKER_V1;
            }
        } catch (IOException e) {
            // not JSON: the caller decides
        }
        return null;
    }

    private static void add(List<Digest> out, JsonNode node) {
        if (node.isTextual()) {
            try {
                out.add(Digest.parse(node.asText()));
            } catch (IllegalArgumentException ignored) {
                // a digest we would not serve anyway
            }
        }
    }
}
