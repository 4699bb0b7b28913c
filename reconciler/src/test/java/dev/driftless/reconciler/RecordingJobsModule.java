package dev.driftless.reconciler;

import dev.driftless.reconciler.queue.JobKind;
import dev.driftless.reconciler.queue.JobResult;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Test-only module, found by {@code driftless serve} through ServiceLoader on the test classpath: when
 * {@code DRIFTLESS_TEST_JOB_RECORD} names a file, every reconcile job that runs appends
 * {@code <job id> <head sha>} to it (fsynced), so a test in another process can count runs.
 */
public final class RecordingJobsModule implements DaemonModule {
    static final String VARIABLE = "DRIFTLESS_TEST_JOB_RECORD";

    @Override
    public void configure(DaemonContext context) {
        String file = System.getenv(VARIABLE);
        if (file == null || file.isBlank()) {
            return;
        }
        Path record = Path.of(file);
        context.jobs().replace(JobKind.RECONCILE, job -> {
            String line = job.id() + " " + job.headSha().orElse("-") + "\n";
            Files.writeString(record, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                    StandardOpenOption.SYNC);
            return new JobResult.Succeeded("recorded");
        });
    }

    @Override
    public int order() {
        return 1000;
    }
}
