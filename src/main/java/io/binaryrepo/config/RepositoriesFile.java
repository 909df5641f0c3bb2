package io.binaryrepo.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the repositories file (YAML) or builds the built-in default, validating every field.
 * Every error is a {@link ConfigException} whose message names the file, the repository and the field.
 * Stateless apart from its inputs; thread-safe.
 */
public final class RepositoriesFile {
    static final String DOCKER_HUB_URL = "https://registry-1.docker.io";
    static final String DOCKERHUB_USERNAME = "DOCKERHUB_USERNAME";
    static final String DOCKERHUB_PASSWORD = "DOCKERHUB_PASSWORD";
    /** Larger than any sane configuration; protects start-up from a wrong path pointing at a huge file. */
    private static final long MAX_FILE_SIZE = 1024 * 1024;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");
    /** The user info of a URL, up to its last '@' before the path: {@code https://user:pw@host}. */
    private static final Pattern USER_INFO = Pattern.compile("^([^:/?#]*://)[^/?#]*@");
    private static final Set<String> FIELDS = Set.of("name", "type", "url", "username", "password",
            "metadataTtl", "connectTimeout", "readTimeout", "allowedHosts", "access", "roles");

    private final Map<String, Set<String>> typeOptions;
    private final Function<String, String> environment;

    /**
     * @param knownTypes the format types that can be configured
     * @param environment lookup for {@code ${VAR}} expansion (normally {@code System::getenv})
     */
    public RepositoriesFile(Set<String> knownTypes, Function<String, String> environment) {
        this(knownTypes.stream().collect(java.util.stream.Collectors.toMap(t -> t, t -> Set.<String>of())), environment);
    }

    /**
     * @param typeOptions the format types that can be configured, each with the per-format fields it accepts
     * @param environment lookup for {@code ${VAR}} expansion (normally {@code System::getenv})
     */
    public RepositoriesFile(Map<String, Set<String>> typeOptions, Function<String, String> environment) {
        this.typeOptions = Map.copyOf(typeOptions);
        this.environment = environment;
    }

    /** Reads and validates {@code file}. */
    public List<RepositoryConfig> read(Path file) {
        String where = "repositories file " + file;
        String text;
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new ConfigException(where + ": larger than 1 MiB; is this the right file?");
            }
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot be read (" + e + ")", e);
        }
        return parse(text, where);
    }

    /** Parses repositories-file text; {@code where} names its origin in error messages. */
    public List<RepositoryConfig> parse(String yaml, String where) {
        JsonNode root;
        try {
            // A repeated key (e.g. a second 'repositories:') must be an error, not silently replace the first.
            root = new ObjectMapper(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
                    .readTree(yaml);
        } catch (JacksonException e) {
            throw new ConfigException(where + ": not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"), e);
        }
        if (root == null || !root.isObject() || !root.has("repositories")) {
            throw new ConfigException(where + ": expected a top-level 'repositories:' list");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("repositories")) {
                throw new ConfigException(where + ": unknown top-level field '" + f + "' (only 'repositories' is allowed)");
            }
        }
        JsonNode list = root.get("repositories");
        if (!list.isArray() || list.isEmpty()) {
            throw new ConfigException(where + ": 'repositories' must be a non-empty list");
        }
        List<RepositoryConfig> result = new ArrayList<>();
        Set<String> names = new HashSet<>();
        int index = 0;
        for (JsonNode node : list) {
            index++;
            RepositoryConfig repo = repository(node, where, index);
            if (!names.add(repo.name())) {
                throw new ConfigException(where + ": repository '" + repo.name() + "': field 'name': duplicate name");
            }
            result.add(repo);
        }
        return List.copyOf(result);
    }

    /**
     * The built-in default: {@code docker-remote} for Docker Hub, anonymous unless
     * {@code DOCKERHUB_USERNAME} and {@code DOCKERHUB_PASSWORD} are both set.
     */
    public List<RepositoryConfig> builtInDefault() {
        String where = "built-in default configuration";
        String user = blankToNull(environment.apply(DOCKERHUB_USERNAME));
        String pass = blankToNull(environment.apply(DOCKERHUB_PASSWORD));
        if ((user == null) != (pass == null)) {
            throw new ConfigException(where + ": repository 'docker-remote': field 'password': "
                    + (user == null ? DOCKERHUB_PASSWORD + " is set but " + DOCKERHUB_USERNAME + " is not"
                            : DOCKERHUB_USERNAME + " is set but " + DOCKERHUB_PASSWORD + " is not")
                    + "; set both to pull as a Docker Hub user, or neither to pull anonymously");
        }
        return List.of(new RepositoryConfig("docker-remote", "docker", URI.create(DOCKER_HUB_URL), user, pass,
                RepositoryConfig.DEFAULT_METADATA_TTL, RepositoryConfig.DEFAULT_CONNECT_TIMEOUT,
                RepositoryConfig.DEFAULT_READ_TIMEOUT));
    }

    private RepositoryConfig repository(JsonNode node, String where, int index) {
        if (!node.isObject()) {
            throw new ConfigException(where + ": repository #" + index + ": must be a mapping with name, type and url");
        }
        String nameText = node.hasNonNull("name") ? node.get("name").asText() : null;
        String prefix = where + ": repository " + (nameText == null ? "#" + index : "'" + nameText + "'") + ": ";
        Set<String> formatFields = node.hasNonNull("type")
                ? typeOptions.getOrDefault(node.get("type").asText().trim(), Set.of()) : Set.of();
        Map<String, Object> options = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (formatFields.contains(e.getKey())) {
                options.put(e.getKey(), option(e.getValue(), prefix, e.getKey()));
                continue;
            }
            if (!FIELDS.contains(e.getKey())) {
                Set<String> known = new HashSet<>(FIELDS);
                known.addAll(formatFields);
                throw new ConfigException(prefix + "unknown field '" + e.getKey() + "' (known: " + String.join(", ", sorted(known)) + ")");
            }
            if (!e.getKey().equals("allowedHosts") && !e.getKey().equals("roles")
                    && (!e.getValue().isValueNode() || e.getValue().isNull())) {
                throw new ConfigException(prefix + "field '" + e.getKey() + "': must be a plain value");
            }
        }
        String name = required(node, "name", prefix);
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(prefix + "field 'name': '" + name
                    + "' must match [a-z0-9][a-z0-9._-]* and be at most 64 characters");
        }
        String type = required(node, "type", prefix);
        if (!typeOptions.containsKey(type)) {
            throw new ConfigException(prefix + "field 'type': unknown type '" + type + "' (known: "
                    + String.join(", ", sorted(typeOptions.keySet())) + ")");
        }
        URI url = url(expand(required(node, "url", prefix), prefix, "url"), prefix);
        String user = optional(node, "username", prefix);
        String pass = optional(node, "password", prefix);
        if ((user == null) != (pass == null)) {
            throw new ConfigException(prefix + "field '" + (user == null ? "username" : "password")
                    + "': username and password must be given together");
        }
        return new RepositoryConfig(name, type, url, user, pass,
                duration(node, "metadataTtl", RepositoryConfig.DEFAULT_METADATA_TTL, prefix),
                positive(node, "connectTimeout", RepositoryConfig.DEFAULT_CONNECT_TIMEOUT, prefix),
                positive(node, "readTimeout", RepositoryConfig.DEFAULT_READ_TIMEOUT, prefix), options,
                allowedHosts(node, prefix), AccessField.parse(node.get("access"), node.get("roles"), prefix));
    }

    /** {@code allowedHosts}: a list of {@code host} or {@code host:port} entries (issue 17). */
    private static List<AllowedHost> allowedHosts(JsonNode node, String prefix) {
        JsonNode v = node.get("allowedHosts");
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new ConfigException(prefix + "field 'allowedHosts': must be a list of host or host:port entries");
        }
        List<AllowedHost> hosts = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual() && !e.isNumber()) {
                throw new ConfigException(prefix + "field 'allowedHosts': entry #" + (i + 1)
                        + " must be a plain host or host:port");
            }
            try {
                hosts.add(AllowedHost.parse(e.asText()));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(prefix + "field 'allowedHosts': entry #" + (i + 1) + ": " + ex.getMessage());
            }
        }
        return hosts;
    }

    /** A per-format field: a plain value ({@code ${VAR}} expanded) or a list of plain values. */
    private Object option(JsonNode v, String prefix, String field) {
        if (v.isValueNode() && !v.isNull()) {
            return expand(v.asText(), prefix, field);
        }
        if (v.isArray()) {
            List<String> list = new ArrayList<>();
            for (JsonNode item : v) {
                if (!item.isValueNode() || item.isNull()) {
                    throw new ConfigException(prefix + "field '" + field + "': list items must be plain values");
                }
                list.add(expand(item.asText(), prefix, field));
            }
            return List.copyOf(list);
        }
        throw new ConfigException(prefix + "field '" + field + "': must be a plain value or a list of plain values");
    }

    private static String required(JsonNode node, String field, String prefix) {
        JsonNode v = node.get(field);
        if (v == null || v.asText().isBlank()) {
            throw new ConfigException(prefix + "field '" + field + "': required");
        }
        return v.asText().trim();
    }

    private String optional(JsonNode node, String field, String prefix) {
        JsonNode v = node.get(field);
        if (v == null) {
            return null;
        }
        String expanded = expand(v.asText(), prefix, field);
        if (expanded.isEmpty()) {
            throw new ConfigException(prefix + "field '" + field + "': empty");
        }
        return expanded;
    }

    /** A timeout: zero would make every upstream request fail, so it is refused. */
    private Duration positive(JsonNode node, String field, Duration dflt, String prefix) {
        Duration d = duration(node, field, dflt, prefix);
        if (d.isZero()) {
            throw new ConfigException(prefix + "field '" + field + "': must be greater than zero");
        }
        return d;
    }

    private Duration duration(JsonNode node, String field, Duration dflt, String prefix) {
        JsonNode v = node.get(field);
        if (v == null) {
            return dflt;
        }
        try {
            return Durations.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(prefix + "field '" + field + "': " + e.getMessage());
        }
    }

    /** Expands {@code ${VAR}} from the environment; an unset variable is an error, never an empty string. */
    String expand(String value, String prefix, String field) {
        Matcher m = VAR.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = environment.apply(m.group(1));
            if (v == null) {
                throw new ConfigException(prefix + "field '" + field + "': environment variable " + m.group(1)
                        + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static URI url(String text, String prefix) {
        // never echo user info in a message: it usually holds a password
        String shown = USER_INFO.matcher(text).replaceFirst("$1***@");
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(prefix + "field 'url': malformed URL '" + shown + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ConfigException(prefix + "field 'url': '" + shown + "' must be an absolute http:// or https:// URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new ConfigException(prefix + "field 'url': '" + shown + "' has no host");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new ConfigException(prefix + "field 'url': '" + shown
                    + "' must not contain a query, a fragment or user info (use username/password)");
        }
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static List<String> sorted(Set<String> s) {
        List<String> l = new ArrayList<>(s);
        l.sort(null);
        return l;
    }
}
