package dev.driftless.builder;

import java.util.ArrayList;
import java.util.List;

/** Keeps every log line as {@code function|line} ({@code -|line} for the whole build). */
final class RecordingListener implements BuildListener {
    final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<FunctionBuild> finished = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void log(String function, String line) {
        lines.add((function == null ? "-" : function) + "|" + line);
    }

    @Override
    public void functionFinished(FunctionBuild result) {
        finished.add(result);
    }

    List<String> of(String function) {
        String prefix = function + "|";
        return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).toList();
    }

    String all() {
        return String.join("\n", lines);
    }
}
