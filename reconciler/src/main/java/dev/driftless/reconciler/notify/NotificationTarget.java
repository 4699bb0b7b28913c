package dev.driftless.reconciler.notify;

import dev.driftless.reconciler.reconcile.ReconcileEvent;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where notifications go and which ones: a URL, a format, the event types (empty: all), and where the signing
 * secret is read when sending ({@link #secretRef}: {@code default}, {@code owner}, {@code secret:<name>}; empty:
 * unsigned, as GitHub sends a webhook without a secret).
 */
public record NotificationTarget(URI url, NotificationFormat format, Set<ReconcileEvent.Type> events,
                                 Optional<String> secretRef, Origin origin) {
    /** Where a target was configured. */
    public enum Origin { DEFAULT, OWNER, REPOSITORY }

    public static final int MAX_URL = 2000;

    public NotificationTarget {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(format, "format");
        events = events.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(events));
        Objects.requireNonNull(secretRef, "secretRef");
        Objects.requireNonNull(origin, "origin");
    }

    public boolean accepts(ReconcileEvent.Type type) {
        return events.isEmpty() || events.contains(type);
    }

    /** The URL without its path and query, for logs and the audit trail (a Slack webhook's path is its key). */
    public String redactedUrl() {
        return redact(url);
    }

    public static String redact(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null || url.getRawPath().isEmpty() || url.getRawPath().equals("/") ? "" : "/…");
    }

    /** An absolute http(s) URL with a host, at most {@value #MAX_URL} characters. */
    public static URI url(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("url is missing");
        }
        if (text.length() > MAX_URL) {
            throw new IllegalArgumentException("url is longer than " + MAX_URL + " characters");
        }
        try {
            URI uri = new URI(text.strip());
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getRawUserInfo() == null && uri.getRawFragment() == null) {
                return uri;
            }
        } catch (URISyntaxException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("url must be an absolute http(s) URL with a host (no user, no #fragment)");
    }

    /** Event names ({@code build.failed}, …); unknown ones are a clear error naming the known ones. */
    public static Set<ReconcileEvent.Type> events(Collection<String> names) {
        Set<ReconcileEvent.Type> types = EnumSet.noneOf(ReconcileEvent.Type.class);
        List<String> unknown = new ArrayList<>();
        for (String name : names) {
            ReconcileEvent.Type.ofWireName(name.strip()).ifPresentOrElse(types::add, () -> unknown.add(name));
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown event(s) " + unknown + "; known: " + knownEvents());
        }
        return types;
    }

    public static String knownEvents() {
        return EnumSet.allOf(ReconcileEvent.Type.class).stream().map(ReconcileEvent.Type::wireName)
                .collect(Collectors.joining(", "));
    }

    /** The events as stored: comma-separated wire names, empty for all. */
    public static String eventsText(Set<ReconcileEvent.Type> events) {
        return events.stream().sorted().map(ReconcileEvent.Type::wireName).collect(Collectors.joining(","));
    }

    public static Set<ReconcileEvent.Type> parseEventsText(String text) {
        if (text == null || text.isBlank()) {
            return Set.of();
        }
        return events(List.of(text.split(",")));
    }
}
