package dev.driftless.builder;

import dev.driftless.templates.BuildLog;

import java.nio.charset.StandardCharsets;

/**
 * One function's build log: lines go to the listener redacted, up to a size cap; past it a single note
 * says the rest was dropped (the build itself goes on).
 */
final class FunctionLog implements BuildLog {
    private final BuildListener listener;
    private final String function;
    private final Redactor redactor;
    private final long maxBytes;
    private long written;
    private boolean truncated;

    FunctionLog(BuildListener listener, String function, Redactor redactor, long maxBytes) {
        this.listener = listener;
        this.function = function;
        this.redactor = redactor;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized void line(String text) {
        if (text == null) {
            return;
        }
        for (String line : text.split("\r?\n", -1)) {
            if (truncated) {
                return;
            }
            String safe = redactor.redact(line);
            long size = safe.getBytes(StandardCharsets.UTF_8).length + 1L;
            if (written + size > maxBytes) {
                truncated = true;
                listener.log(function, "… log truncated: it reached the limit of " + RepoGuard.size(maxBytes) + "; the build goes on");
                return;
            }
            written += size;
            listener.log(function, safe);
        }
    }

    /** Text that leaves the build another way (a failure reason), with the same secrets removed. */
    String redact(String text) {
        return redactor.redact(text);
    }

    /** Lines that must be seen even past the cap (the outcome). */
    synchronized void always(String text) {
        listener.log(function, redactor.redact(text));
    }
}
