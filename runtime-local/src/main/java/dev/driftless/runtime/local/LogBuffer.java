package dev.driftless.runtime.local;

import java.util.ArrayDeque;
import java.util.List;

/** The last lines an instance wrote (stdout and stderr), bounded so a chatty function cannot fill the heap. */
final class LogBuffer {
    static final int MAX_LINE = 4096;

    private final int capacity;
    private final ArrayDeque<String> lines;

    LogBuffer(int capacity) {
        this.capacity = capacity;
        this.lines = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    synchronized void add(String line) {
        String bounded = line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + "…" : line;
        if (lines.size() == capacity) {
            lines.removeFirst();
        }
        lines.addLast(bounded);
    }

    /** At most {@code max} of the newest lines, oldest first. */
    synchronized List<String> last(int max) {
        int skip = Math.max(0, lines.size() - Math.max(0, max));
        return lines.stream().skip(skip).toList();
    }
}
