package dev.driftless.templates;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one build tool or piece of user code (javac, mvn, the handler's tests, pip, npm) as a child
 * process that never sees the daemon's environment: the environment is cleared and only what the
 * tool needs is set, the whole process tree is killed at the time limit, and output goes line by
 * line into the build log (capped) while the tail is kept for parsing test summaries.
 *
 * @param label       what the process is, for messages: "tests" gives "tests timed out after 60 s"
 * @param command     the command and its arguments
 * @param directory   working directory
 * @param environment the complete environment of the child (nothing else is inherited)
 * @param timeout     the child and all its descendants are killed after this
 */
record ForkedProcess(String label, List<String> command, Path directory, Map<String, String> environment, Duration timeout) {

    /** Lines longer than this are cut in the log; a minified bundle printed by a test is not a log line. */
    static final int MAX_LINE_CHARS = 4_000;
    /** Lines written to the build log per process; the builder caps the whole log too. */
    static final int MAX_LOG_LINES = 5_000;
    /** Lines kept for parsing: test runners print their summary at the end. */
    static final int TAIL_LINES = 400;

    ForkedProcess {
        command = List.copyOf(command);
        environment = Map.copyOf(environment);
    }

    /** What the child did: its exit code and the last {@link #TAIL_LINES} lines of its output. */
    record Result(int exitCode, List<String> tail) {
        Result {
            tail = List.copyOf(tail);
        }

        String tailText(int lines) {
            return String.join("\n", tail.subList(Math.max(0, tail.size() - lines), tail.size()));
        }
    }

    Result run(BuildLog log) throws TemplateException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(environment);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new TemplateException(label + " could not start " + command.get(0) + ": " + e.getMessage(), e);
        }
        return await(process, log);
    }

    /**
     * Follows a child started elsewhere (a standby build JVM that was just handed its build) exactly as
     * {@link #run} follows its own: output into the log, killed at the time limit, the result. The command,
     * directory and environment of this record are not used.
     */
    Result await(Process process, BuildLog log) throws TemplateException {
        OutputPump pump = new OutputPump(process, log);
        Thread reader = new Thread(pump, "forked-" + label);
        reader.setDaemon(true);
        reader.start();
        try {
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (finished) {
                // Read to the end first: destroying a Process closes its output stream and drops what is buffered.
                // A background child that keeps the pipe open only delays this by the join limit.
                reader.join(10_000);
                process.descendants().forEach(ProcessHandle::destroyForcibly);
            } else {
                killTree(process);
                reader.join(2_000);
            }
            if (!finished) {
                log.line(label + " timed out after " + timeout.toSeconds() + " s: killed the process and its children");
                throw new TemplateException(label + " timed out after " + timeout.toSeconds() + " s");
            }
            return new Result(process.exitValue(), pump.tail());
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new TemplateException(label + " was interrupted", e);
        }
    }

    private static void killTree(Process process) {
        // Descendants first, collected before the parent dies and they are re-parented out of reach.
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        for (ProcessHandle handle : descendants) {
            handle.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> handle).join();
        }
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Copies the child's output into the log, capped, and keeps a tail for parsing. */
    private static final class OutputPump implements Runnable {
        private final Process process;
        private final BuildLog log;
        private final Deque<String> tail = new ArrayDeque<>();

        OutputPump(Process process, BuildLog log) {
            this.process = process;
            this.log = log;
        }

        @Override
        public void run() {
            int logged = 0;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    String shown = line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + " …" : line;
                    if (logged < MAX_LOG_LINES) {
                        log.line(shown);
                    } else if (logged == MAX_LOG_LINES) {
                        log.line("… output truncated after " + MAX_LOG_LINES + " lines");
                    }
                    logged++;
                    synchronized (tail) {
                        tail.addLast(shown);
                        if (tail.size() > TAIL_LINES) {
                            tail.removeFirst();
                        }
                    }
                }
            } catch (IOException e) {
                // The stream closes when the process is killed; what was read is kept.
            }
        }

        List<String> tail() {
            synchronized (tail) {
                return List.copyOf(tail);
            }
        }
    }
}
