package dev.driftless.reconciler.reconcile;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * What a preview previews: pull request {@code #n} (suffix {@code pr-<n>}) or a branch pushed to the built-in git
 * endpoint (suffix: the branch's slug). Preview names are {@code <function>--<suffix>}, one DNS label, so they
 * serve under the owner's host that the one-label wildcard certificate covers.
 *
 * @param number the pull request number, 0 for a branch
 * @param branch the branch, empty for a pull request
 */
public record PreviewSource(int number, Optional<String> branch) {
    /** DNS-1123 label limit: the preview name is a route, a Deployment and a Service name. */
    static final int MAX_NAME = 63;
    private static final int HASH = 6;

    public PreviewSource {
        if (branch.isPresent() == (number > 0) || number < 0) {
            throw new IllegalArgumentException("a preview is of a pull request (number > 0) or of a branch, not both");
        }
        branch.ifPresent(b -> {
            if (b.isBlank() || b.length() > 255) {
                throw new IllegalArgumentException("a branch name is 1..255 characters");
            }
        });
    }

    public static PreviewSource pullRequest(int number) {
        return new PreviewSource(number, Optional.empty());
    }

    public static PreviewSource branch(String branch) {
        return new PreviewSource(0, Optional.of(branch));
    }

    public boolean pullRequest() {
        return number > 0;
    }

    /** {@code pr-<n>}, or the branch's slug. */
    public String suffix() {
        return branch.map(PreviewSource::slug).orElse("pr-" + number);
    }

    /** For people: {@code #7} or {@code branch feature/x}. */
    public String describe() {
        return branch.map(b -> "branch " + b).orElse("#" + number);
    }

    /** {@code <function>--<suffix>}, or a clear error when that is longer than a DNS label may be. */
    public String previewName(String function) {
        String name = function + "--" + suffix();
        if (name.length() > MAX_NAME) {
            throw new IllegalArgumentException("preview name '" + name + "' is " + name.length()
                    + " characters, more than the " + MAX_NAME + " a DNS label allows; shorten the function name to at most "
                    + (MAX_NAME - ("--" + suffix()).length()) + " characters to get a preview");
        }
        return name;
    }

    /**
     * A branch as a DNS label part: lower case, runs of anything but {@code [a-z0-9]} as one {@code -}, at most 30
     * characters. When that is not the branch itself (it lost characters, or looks like {@code pr-<n>}, the pull
     * requests' form) six hex characters of the branch's SHA-256 follow, so two branches never share a slug:
     * {@code feature-x} stays {@code feature-x}, {@code Feature/X} becomes {@code feature-x-} plus the hash.
     */
    static String slug(String branch) {
        String slug = branch.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        boolean exact = slug.equals(branch) && slug.length() <= 30 && !slug.matches("pr-[0-9]+");
        if (exact) {
            return slug;
        }
        if (slug.length() > 30 - HASH - 1) {
            slug = slug.substring(0, 30 - HASH - 1).replaceAll("-+$", "");
        }
        return (slug.isEmpty() ? "b" : slug) + "-" + hash(branch);
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
