package dev.driftless.runtime.kubernetes;

/** The label and annotation keys Driftless owns; users' labels and annotations never override them. */
record OurKeys(String prefix) {
    static final String NAME = "app.kubernetes.io/name";
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String MANAGER = "driftless";

    String owner() {
        return prefix + "owner";
    }

    String repository() {
        return prefix + "repository";
    }

    String function() {
        return prefix + "function";
    }

    String commit() {
        return prefix + "commit";
    }

    String release() {
        return prefix + "release";
    }

    String image() {
        return prefix + "image";
    }

    String specHash() {
        return prefix + "spec-hash";
    }

    /** The digest that served before the last rollout: what a failed rollout goes back to. */
    String previousImage() {
        return prefix + "previous-image";
    }

    String previousRelease() {
        return prefix + "previous-release";
    }

    /** When the Deployment was scaled to zero for idling: 0 replicas then is asleep, not drift. */
    String scaledToZero() {
        return prefix + "scaled-to-zero";
    }

    /** The repository as the reconciler named it, when the label had to hold a hashed form. */
    String repositoryName() {
        return prefix + "repository-name";
    }

    boolean isOurs(String key) {
        return key.startsWith(prefix) || key.equals(NAME) || key.equals(MANAGED_BY);
    }
}
