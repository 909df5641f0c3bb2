package io.binaryrepo.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a repository's {@code access} and {@code roles} fields (issue 12) into an {@link Access}:
 * {@code access: anonymous} (the default), {@code access: authenticated} (role {@value Access#READ_ROLE}),
 * or {@code roles: [team-a, team-b]} (any of them; implies authenticated). Stateless.
 */
final class AccessField {
    /** More would be a configuration mistake; keeps the per-login role check short. */
    static final int MAX_ROLES = 64;
    private static final int MAX_ROLE_LENGTH = 128;
    /** Printable, no comma (tomcat-users.xml separates roles with commas), no surrounding blanks. */
    private static final Pattern ROLE = Pattern.compile("[^\\p{Cntrl},\\s](?:[^\\p{Cntrl},]*[^\\p{Cntrl},\\s])?");

    private AccessField() {
    }

    /**
     * @param access the {@code access} node or null
     * @param roles the {@code roles} node or null
     * @param prefix start of every error message (file and repository)
     * @throws ConfigException naming the field and the bad value
     */
    static Access parse(JsonNode access, JsonNode roles, String prefix) {
        String mode = access == null ? null : access.asText().trim();
        if (mode != null && !mode.equals("anonymous") && !mode.equals("authenticated")) {
            throw new ConfigException(prefix + "field 'access': unknown value '" + abbreviate(mode)
                    + "' (known: anonymous, authenticated; use 'roles' for specific roles)");
        }
        if (roles == null) {
            return "authenticated".equals(mode) ? Access.AUTHENTICATED : Access.ANONYMOUS;
        }
        if ("anonymous".equals(mode)) {
            throw new ConfigException(prefix + "field 'roles': not allowed with 'access: anonymous' "
                    + "(roles restrict a repository to authenticated users)");
        }
        if (!roles.isArray() || roles.isEmpty()) {
            throw new ConfigException(prefix + "field 'roles': must be a non-empty list of role names, "
                    + "e.g. roles: [team-a, team-b]");
        }
        if (roles.size() > MAX_ROLES) {
            throw new ConfigException(prefix + "field 'roles': " + roles.size() + " roles; at most " + MAX_ROLES);
        }
        Set<String> result = new LinkedHashSet<>();
        int i = 0;
        for (JsonNode r : roles) {
            i++;
            String name = r.isTextual() || r.isNumber() ? r.asText() : null;
            if (name == null || name.length() > MAX_ROLE_LENGTH || !ROLE.matcher(name).matches()) {
                throw new ConfigException(prefix + "field 'roles': entry #" + i + " "
                        + (name == null ? "is not a role name" : "'" + abbreviate(name) + "' is not a valid role name")
                        + " (at most " + MAX_ROLE_LENGTH + " printable characters, no comma, "
                        + "no leading or trailing blank)");
            }
            result.add(name);
        }
        return new Access(result);
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
