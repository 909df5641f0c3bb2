package io.binaryrepo.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds small images from scratch with {@code umoci} in a temp OCI layout (no base image, no
 * network) and pushes them with {@code skopeo copy} to a {@link CncfRegistry} (with the
 * registry's {@link TokenIssuer} credentials when it has token auth). Every call makes new
 * random content, so digests differ between calls. Digests returned are those the registry
 * reports (sha256 of the {@code skopeo inspect --raw} bytes). Image architecture is umoci's
 * default, i.e. the host's, except for {@link #multiPlatform}.
 */
public final class TestImages {

    /** Time allowed for one umoci/skopeo command. */
    public static final Duration TIMEOUT = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom SEEDS = new SecureRandom();

    private TestImages() {
    }

    /** A blob (config or layer) referenced by a manifest. */
    public record Blob(String mediaType, String digest, long size) {
    }

    /**
     * A single-platform image as pushed.
     *
     * @param registryHost {@code 127.0.0.1:PORT}
     * @param repository e.g. {@code library/small}
     * @param tag e.g. {@code 1}
     * @param digest manifest digest as the registry reports it
     * @param mediaType the manifest's media type (OCI image manifest)
     * @param config the config blob
     * @param layers the layer blobs, in order
     */
    public record PushedImage(String registryHost, String repository, String tag, String digest,
                              String mediaType, Blob config, List<Blob> layers) {
        public PushedImage {
            layers = List.copyOf(layers);
        }

        /** {@code host/repository:tag}. */
        public String reference() {
            return registryHost + "/" + repository + ":" + tag;
        }

        /** {@code host/repository@digest}. */
        public String digestReference() {
            return registryHost + "/" + repository + "@" + digest;
        }

        /** Sum of the layers' (compressed) sizes. */
        public long layerBytes() {
            return layers.stream().mapToLong(Blob::size).sum();
        }
    }

    /**
     * A multi-platform OCI image index as pushed.
     *
     * @param digest the index digest as the registry reports it
     * @param platformDigests {@code "linux/amd64"} and {@code "linux/arm64"} to child manifest digest
     */
    public record PushedIndex(String registryHost, String repository, String tag, String digest,
                              Map<String, String> platformDigests) {
        public PushedIndex {
            platformDigests = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(platformDigests));
        }

        /** {@code host/repository:tag}. */
        public String reference() {
            return registryHost + "/" + repository + ":" + tag;
        }

        /** {@code host/repository@digest} (the index). */
        public String digestReference() {
            return registryHost + "/" + repository + "@" + digest;
        }

        /**
         * Child manifest digest for {@code platform} such as {@code "linux/arm64"}.
         *
         * @throws IllegalArgumentException for a platform not in the index
         */
        public String digestFor(String platform) {
            String d = platformDigests.get(platform);
            if (d == null) {
                throw new IllegalArgumentException(platform + " not in " + platformDigests.keySet());
            }
            return d;
        }
    }

    /**
     * Pushes {@code nameAndTag} (e.g. {@code "library/small:1"}; tag defaults to {@code latest})
     * with one layer of a few KB of text files under {@code /data}.
     */
    public static PushedImage small(CncfRegistry registry, String nameAndTag) {
        return build(registry, nameAndTag, content -> {
            Path data = content.resolve("data");
            Files.createDirectories(data.resolve("sub"));
            Files.writeString(data.resolve("name.txt"), nameAndTag + "\n");
            Files.writeString(data.resolve("random.txt"), TokenIssuer.randomHex(1024) + "\n");
            Files.writeString(data.resolve("sub").resolve("readme.txt"),
                    "binaryrepo e2e test image " + nameAndTag + "\n" + TokenIssuer.randomHex(512) + "\n");
        });
    }

    /**
     * Pushes {@code nameAndTag} with one layer holding a single file {@code /data/blob.bin} of
     * {@code sizeBytes} random (incompressible) bytes; the compressed layer is a little larger.
     */
    public static PushedImage withLayer(CncfRegistry registry, String nameAndTag, long sizeBytes) {
        return build(registry, nameAndTag, content -> {
            Path data = content.resolve("data");
            Files.createDirectories(data);
            writeRandom(data.resolve("blob.bin"), sizeBytes);
        });
    }

    /**
     * Pushes {@code nameAndTag} with one layer per size, in that order: layer {@code i} holds a single file
     * {@code /data/blob.bin} (the first layer) or {@code /data<i>/blob.bin} of that many random bytes.
     */
    public static PushedImage withLayers(CncfRegistry registry, String nameAndTag, long... sizes) {
        List<ContentWriter> layers = new ArrayList<>();
        for (long size : sizes) {
            layers.add(content -> {
                Path data = content.resolve("data");
                Files.createDirectories(data);
                writeRandom(data.resolve("blob.bin"), size);
            });
        }
        return build(registry, nameAndTag, layers);
    }

    /**
     * Pushes {@code nameAndTag} as an OCI image index with two platforms, {@code linux/amd64} and
     * {@code linux/arm64} (two single-layer images whose configs differ in architecture), with
     * {@code skopeo copy --all}.
     */
    public static PushedIndex multiPlatform(CncfRegistry registry, String nameAndTag) {
        String[] nt = splitNameAndTag(nameAndTag);
        Path work = TempDirs.create("image");
        try {
            Path layout = work.resolve("layout");
            umoci("init", "--layout", layout.toString());
            ArrayNode children = JSON.createArrayNode();
            for (String arch : List.of("amd64", "arm64")) {
                Path content = work.resolve("content-" + arch);
                Path data = content.resolve("data");
                Files.createDirectories(data);
                Files.writeString(data.resolve("platform.txt"), "linux/" + arch + "\n" + nameAndTag + "\n"
                        + TokenIssuer.randomHex(1024) + "\n");
                String image = layout + ":" + arch;
                umoci("new", "--image", image);
                umoci("insert", "--image", image, data.toString(), "/data");
                umoci("config", "--image", image, "--os", "linux", "--architecture", arch);
                JsonNode descriptor = descriptorForTag(layout, arch);
                ObjectNode child = children.addObject();
                child.put("mediaType", descriptor.path("mediaType").asText());
                child.put("digest", descriptor.path("digest").asText());
                child.put("size", descriptor.path("size").asLong());
                ObjectNode platform = child.putObject("platform");
                platform.put("architecture", arch);
                platform.put("os", "linux");
            }
            ObjectNode index = JSON.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", "application/vnd.oci.image.index.v1+json");
            index.set("manifests", children);
            byte[] indexBytes = JSON.writeValueAsBytes(index);
            String indexDigest = OciLayout.sha256(indexBytes);
            Files.write(OciLayout.blobPath(layout, indexDigest), indexBytes);
            addToLayoutIndex(layout, "application/vnd.oci.image.index.v1+json", indexDigest,
                    indexBytes.length, "index");

            push(registry, "oci:" + layout + ":index", nt, true);
            byte[] raw = skopeo(registry).inspectRaw(registry.host() + "/" + nt[0] + ":" + nt[1]);
            Map<String, String> platforms = new LinkedHashMap<>();
            for (JsonNode m : OciLayout.parse(raw).path("manifests")) {
                JsonNode p = m.path("platform");
                platforms.put(p.path("os").asText() + "/" + p.path("architecture").asText(), m.path("digest").asText());
            }
            return new PushedIndex(registry.host(), nt[0], nt[1], OciLayout.sha256(raw), platforms);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            TempDirs.deleteRecursively(work);
        }
    }

    private interface ContentWriter {
        void write(Path contentDir) throws IOException;
    }

    private static PushedImage build(CncfRegistry registry, String nameAndTag, ContentWriter writer) {
        return build(registry, nameAndTag, List.of(writer));
    }

    /** One layer per writer: the first inserted at /data, the others at /data1, /data2, ... */
    private static PushedImage build(CncfRegistry registry, String nameAndTag, List<ContentWriter> writers) {
        String[] nt = splitNameAndTag(nameAndTag);
        Path work = TempDirs.create("image");
        try {
            Path layout = work.resolve("layout");
            String image = layout + ":build";
            umoci("init", "--layout", layout.toString());
            umoci("new", "--image", image);
            for (int i = 0; i < writers.size(); i++) {
                Path content = work.resolve("content" + i);
                Files.createDirectories(content);
                writers.get(i).write(content);
                umoci("insert", "--image", image, content.resolve("data").toString(), i == 0 ? "/data" : "/data" + i);
            }
            umoci("config", "--image", image, "--config.label", "io.binaryrepo.e2e.name=" + nameAndTag);
            push(registry, "oci:" + image, nt, false);
            byte[] raw = skopeo(registry).inspectRaw(registry.host() + "/" + nt[0] + ":" + nt[1]);
            JsonNode manifest = OciLayout.parse(raw);
            List<Blob> layers = new ArrayList<>();
            for (JsonNode l : manifest.path("layers")) {
                layers.add(blob(l));
            }
            return new PushedImage(registry.host(), nt[0], nt[1], OciLayout.sha256(raw),
                    manifest.path("mediaType").asText("application/vnd.oci.image.manifest.v1+json"),
                    blob(manifest.path("config")), layers);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            TempDirs.deleteRecursively(work);
        }
    }

    private static void push(CncfRegistry registry, String source, String[] nt, boolean all) {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "copy", "--retry-times", "0", "--dest-tls-verify=false"));
        if (all) {
            cmd.add("--all");
        }
        registry.tokenIssuer().ifPresent(t -> {
            cmd.add("--dest-creds");
            cmd.add(t.credentials());
        });
        cmd.add(source);
        cmd.add("docker://" + registry.host() + "/" + nt[0] + ":" + nt[1]);
        Skopeo.run(cmd).checked();
    }

    private static Skopeo skopeo(CncfRegistry registry) {
        Skopeo s = new Skopeo();
        return registry.tokenIssuer().map(t -> s.withCreds(t.username(), t.password())).orElse(s);
    }

    private static Blob blob(JsonNode descriptor) {
        return new Blob(descriptor.path("mediaType").asText(), descriptor.path("digest").asText(),
                descriptor.path("size").asLong());
    }

    private static JsonNode descriptorForTag(Path layout, String tag) {
        for (JsonNode m : OciLayout.indexJson(layout).path("manifests")) {
            if (tag.equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                return m;
            }
        }
        throw new AssertionError("tag " + tag + " not in " + layout + "/index.json");
    }

    private static void addToLayoutIndex(Path layout, String mediaType, String digest, long size, String tag)
            throws IOException {
        ObjectNode index = (ObjectNode) OciLayout.indexJson(layout);
        ObjectNode d = ((ArrayNode) index.get("manifests")).addObject();
        d.put("mediaType", mediaType);
        d.put("digest", digest);
        d.put("size", size);
        d.putObject("annotations").put("org.opencontainers.image.ref.name", tag);
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    private static void writeRandom(Path file, long size) throws IOException {
        Random random = new Random(SEEDS.nextLong());
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            long left = size;
            while (left > 0) {
                random.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
    }

    private static void umoci(String... args) {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "umoci";
        System.arraycopy(args, 0, cmd, 1, args.length);
        ExternalProcess.runChecked(TIMEOUT, Map.of(), cmd);
    }

    /** {@code "a/b:t"} to {@code {"a/b", "t"}}; tag {@code latest} when absent. */
    static String[] splitNameAndTag(String nameAndTag) {
        int slash = nameAndTag.lastIndexOf('/');
        int colon = nameAndTag.lastIndexOf(':');
        if (colon > slash) {
            return new String[] {nameAndTag.substring(0, colon), nameAndTag.substring(colon + 1)};
        }
        return new String[] {nameAndTag, "latest"};
    }
}
