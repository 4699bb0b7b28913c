package dev.driftless.builder;

import java.util.regex.Pattern;

/**
 * An image reference pinned by digest: {@code repository@sha256:<64 hex>}. Tags are for humans only;
 * everything Driftless deploys or reads back is one of these.
 *
 * @param repository e.g. {@code 127.0.0.1:5000/alice/fns/hello} or {@code local/alice/fns/hello} for the local image store
 * @param digest     {@code sha256:<64 hex>}
 */
public record ImageRef(String repository, String digest) {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    public ImageRef {
        if (repository == null || repository.isBlank()) {
            throw new IllegalArgumentException("image repository is empty");
        }
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
    }

    /** Parses {@code repository@sha256:…}. */
    public static ImageRef parse(String reference) {
        int at = reference.lastIndexOf('@');
        if (at <= 0) {
            throw new IllegalArgumentException("image reference has no digest: " + reference);
        }
        return new ImageRef(reference.substring(0, at), reference.substring(at + 1));
    }

    /** The first 12 hex digits, for people. */
    public String shortDigest() {
        return digest.substring("sha256:".length(), "sha256:".length() + 12);
    }

    @Override
    public String toString() {
        return repository + "@" + digest;
    }
}
