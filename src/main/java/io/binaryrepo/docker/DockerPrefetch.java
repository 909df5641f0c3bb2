package io.binaryrepo.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.binaryrepo.repo.Inventory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Prefetches one image (issue 10): its manifest, every child manifest of an index (only the platforms
 * asked for, if any), and each image manifest's config and layers, all as pull API requests through the
 * repository's own handler, so each is verified and committed exactly as for a client (and the blobs get
 * this repository's links). Used by one job thread.
 */
final class DockerPrefetch {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> ACCEPT = Map.of("Accept", Manifest.DEFAULT_ACCEPT);

    private final String name;
    private final Set<String> platforms;
    private final Inventory.Fetcher fetcher;

    DockerPrefetch(String name, Set<String> platforms, Inventory.Fetcher fetcher) {
        this.name = name;
        this.platforms = platforms;
        this.fetcher = fetcher;
    }

    /** @param reference a tag or a digest */
    void run(String reference) throws IOException {
        fetcher.planned(1);
        Optional<JsonNode> top = manifest(reference);
        if (top.isEmpty()) {
            return;
        }
        if (top.get().has("manifests")) {
            List<String> children = new ArrayList<>();
            for (JsonNode m : top.get().path("manifests")) {
                if (wanted(m.path("platform")) && m.path("digest").isTextual()) {
                    children.add(m.path("digest").asText());
                }
            }
            fetcher.planned(children.size());
            for (String child : children) {
                manifest(child).ifPresent(this::blobs);
            }
        } else {
            blobs(top.get());
        }
    }

    private Optional<JsonNode> manifest(String reference) {
        Optional<byte[]> body = fetcher.get("v2/" + name + "/manifests/" + reference, ACCEPT, true);
        if (body.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(body.get());
            if (n != null && n.isObject()) {
                return Optional.of(n);
            }
        } catch (IOException e) {
            // reported below
        }
        fetcher.error("manifest " + name + " " + reference + " is not JSON");
        return Optional.empty();
    }

    private void blobs(JsonNode manifest) {
        List<String> digests = new ArrayList<>();
        if (manifest.path("config").path("digest").isTextual()) {
            digests.add(manifest.path("config").path("digest").asText());
        }
        for (JsonNode l : manifest.path("layers")) {
            if (l.path("digest").isTextual()) {
                digests.add(l.path("digest").asText());
            }
        }
        for (JsonNode l : manifest.path("fsLayers")) {
            if (l.path("blobSum").isTextual()) {
                digests.add(l.path("blobSum").asText());
            }
        }
        fetcher.planned(digests.size());
        for (String d : digests) {
            fetcher.get("v2/" + name + "/blobs/" + d, Map.of(), false);
        }
    }

    /** Whether an index entry's platform is asked for ({@code os/arch} also matches every variant). */
    private boolean wanted(JsonNode platform) {
        if (platforms.isEmpty()) {
            return true;
        }
        String osArch = platform.path("os").asText() + "/" + platform.path("architecture").asText();
        String variant = platform.path("variant").asText("");
        return platforms.contains(osArch) || !variant.isEmpty() && platforms.contains(osArch + "/" + variant);
    }
}
