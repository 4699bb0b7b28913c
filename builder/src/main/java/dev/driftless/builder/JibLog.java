package dev.driftless.builder;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.LogEvent;

import java.util.function.Consumer;

/** Containerizer settings both targets share: Jib's caches under ours, Jib's lifecycle lines in the function log. */
final class JibLog {
    private JibLog() { }

    /** Jib's warnings (e.g. a credential helper that is not installed) as function log lines. */
    static Consumer<LogEvent> events(Consumer<String> log) {
        return e -> {
            if (!e.getMessage().isBlank() && (e.getLevel() == LogEvent.Level.ERROR || e.getLevel() == LogEvent.Level.WARN)) {
                log.accept("jib: " + e.getMessage());
            }
        };
    }

    static Containerizer configure(Containerizer containerizer, ImageTarget.JibSettings jib, Consumer<String> log) {
        return containerizer
                .setToolName("driftless")
                .setBaseImageLayersCache(jib.baseCache())
                .setApplicationLayersCache(jib.appCache())
                .addEventHandler(LogEvent.class, e -> {
                    if (!e.getMessage().isBlank() && (e.getLevel() == LogEvent.Level.ERROR || e.getLevel() == LogEvent.Level.WARN
                            || e.getLevel() == LogEvent.Level.LIFECYCLE)) {
                        log.accept("jib: " + e.getMessage());
                    }
                });
    }
}
