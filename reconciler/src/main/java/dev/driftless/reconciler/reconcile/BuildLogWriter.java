package dev.driftless.reconciler.reconcile;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Streams a build's log lines into the store in small batches, so the dashboard can show a build
 * while it runs. Caps each function's log; a secret value never reaches the store (the builder
 * redacts, and this writer redacts the values it was given once more).
 */
final class BuildLogWriter {
    static final int MAX_LINES_PER_FUNCTION = 5_000;
    private static final int BATCH = 50;
    private static final long FLUSH_AFTER_MILLIS = 500;

    private final Transactions store;
    private final long buildId;
    private final List<String> secrets;
    private final Map<String, Integer> written = new HashMap<>();
    private final Map<String, List<String>> pending = new HashMap<>();
    private long lastFlush = System.currentTimeMillis();

    BuildLogWriter(Transactions store, long buildId, List<String> secrets) {
        this.store = store;
        this.buildId = buildId;
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= 4).toList();
    }

    synchronized void line(String function, String text) {
        String key = function == null ? "" : function;
        int count = written.getOrDefault(key, 0) + pending.getOrDefault(key, List.of()).size();
        if (count > MAX_LINES_PER_FUNCTION) {
            return;
        }
        String line = count == MAX_LINES_PER_FUNCTION
                ? "… log cut at " + MAX_LINES_PER_FUNCTION + " lines"
                : redact(text);
        pending.computeIfAbsent(key, k -> new ArrayList<>()).add(line);
        if (pending.get(key).size() >= BATCH || System.currentTimeMillis() - lastFlush >= FLUSH_AFTER_MILLIS) {
            flush();
        }
    }

    /** Writes what is buffered. A store failure loses log lines, never the build. */
    synchronized void flush() {
        lastFlush = System.currentTimeMillis();
        if (pending.isEmpty()) {
            return;
        }
        Map<String, List<String>> batch = new HashMap<>(pending);
        pending.clear();
        try {
            store.inTransaction(tx -> {
                for (Map.Entry<String, List<String>> entry : batch.entrySet()) {
                    int first = written.getOrDefault(entry.getKey(), 0);
                    new BuildRecords().appendLines(tx, buildId, entry.getKey(), first, entry.getValue());
                }
                return null;
            });
            batch.forEach((function, lines) -> written.merge(function, lines.size(), Integer::sum));
        } catch (SQLException e) {
            org.slf4j.LoggerFactory.getLogger(BuildLogWriter.class)
                    .warn("event=build_log_write_failed build={} error={}", buildId, e.getMessage());
        }
    }

    private String redact(String text) {
        String result = text == null ? "" : text;
        for (String secret : secrets) {
            result = result.replace(secret, "***");
        }
        return result;
    }
}
