package dev.driftless.runtime.kubernetes;

import java.util.Locale;

/**
 * The namespace of one owner's functions. Derived only from the verified owner the reconciler passes,
 * never from a stack.yml: {@code fn-alice}. Owners whose login is not a clean DNS label, or is too long,
 * get a hash suffix, so {@code a_b} and {@code a-b} do not share a namespace.
 *
 * @param owner      the verified owner, lower-cased (GitHub logins are case-insensitive)
 * @param name       the namespace's name
 * @param ownerLabel the value of our owner label on everything in it
 */
record OwnerNamespace(String owner, String name, String ownerLabel) {

    static OwnerNamespace of(String owner, String prefix) {
        if (owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("an owner is required");
        }
        String lower = owner.toLowerCase(Locale.ROOT);
        String label = KubeNames.safeLabel(lower, 63 - prefix.length());
        return new OwnerNamespace(lower, prefix + label, label);
    }
}
