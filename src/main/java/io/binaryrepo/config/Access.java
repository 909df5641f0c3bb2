package io.binaryrepo.config;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Who may read a repository: anyone ({@link #ANONYMOUS}, the default), or a user the container's realm
 * authenticated who has at least one of {@link #roles()} ({@code access: authenticated} means role
 * {@value #READ_ROLE}; {@code roles: [team-a, team-b]} means any of those). Immutable.
 *
 * @param roles the roles of which a user needs one; empty for anonymous access
 */
public record Access(Set<String> roles) {
    /** The role {@code access: authenticated} requires (declared in web.xml). */
    public static final String READ_ROLE = "binaryrepo-read";
    /** The role the admin API requires (declared in web.xml). */
    public static final String ADMIN_ROLE = "binaryrepo-admin";
    /** Anyone may read: the behaviour before access control existed. */
    public static final Access ANONYMOUS = new Access(Set.of());
    /** {@code access: authenticated}. */
    public static final Access AUTHENTICATED = new Access(Set.of(READ_ROLE));

    public Access {
        // keeps the configured order for messages; unmodifiable
        roles = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(roles));
    }

    /** True when no authentication is needed. */
    public boolean anonymous() {
        return roles.isEmpty();
    }
}
