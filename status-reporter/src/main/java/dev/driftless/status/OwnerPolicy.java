package dev.driftless.status;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which owners this Driftless serves: everyone, or only an allow-list (OpenFaaS Cloud's
 * {@code CUSTOMERS}). GitHub logins are case-insensitive, so is the list.
 */
public final class OwnerPolicy {
    private final Set<String> allowed; // lower case; null = everyone

    private OwnerPolicy(Set<String> allowed) {
        this.allowed = allowed;
    }

    public static OwnerPolicy allowAll() {
        return new OwnerPolicy(null);
    }

    public static OwnerPolicy allowOnly(Set<String> owners) {
        Objects.requireNonNull(owners, "owners");
        return new OwnerPolicy(owners.stream().map(String::strip).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()));
    }

    /** From a comma/whitespace separated list; blank or null means everyone. */
    public static OwnerPolicy parse(String list) {
        if (list == null || list.isBlank()) {
            return allowAll();
        }
        return allowOnly(Set.copyOf(Arrays.asList(list.split("[,\\s]+"))));
    }

    public boolean allows(String owner) {
        return allowed == null || (owner != null && allowed.contains(owner.toLowerCase(Locale.ROOT)));
    }

    public static String refusalMessage(String owner) {
        return "owner '" + owner + "' is not allowed on this Driftless";
    }

    /**
     * The failed {@code driftless/stack} status a refused owner's push gets, or null if the owner is
     * allowed. Nothing of the push is built.
     */
    public CommitStatus refusal(String owner, String repo, String sha, String branch, long commitSequence,
                                Long installationId) {
        if (allows(owner)) {
            return null;
        }
        return CommitStatus.builder().repository(owner, repo).commit(sha, branch, commitSequence).stack()
                .state(CommitStatus.State.FAILURE).description(refusalMessage(owner))
                .installationId(installationId).build();
    }

    @Override
    public String toString() {
        return allowed == null ? "OwnerPolicy[everyone]" : "OwnerPolicy[only " + allowed.stream().sorted().toList() + "]";
    }
}
