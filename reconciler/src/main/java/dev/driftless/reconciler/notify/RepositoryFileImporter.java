package dev.driftless.reconciler.notify;

import dev.driftless.builder.BuildListener;
import dev.driftless.builder.BuildRequest;
import dev.driftless.builder.BuildResult;
import dev.driftless.builder.FunctionBuild;
import dev.driftless.builder.StackInvalidException;
import dev.driftless.builder.StackProblem;
import dev.driftless.reconciler.audit.AuditAction;
import dev.driftless.reconciler.audit.AuditEntry;
import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.reconcile.CommitBuilder;
import dev.driftless.reconciler.reconcile.PreviewSettings;
import dev.driftless.reconciler.reconcile.Transactions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads {@code .driftless.yml} of each commit built for production, right after the checkout: its targets
 * become the repository's (a change is an audit entry), and so do its preview switches (only the tracked branch
 * says whether other branches get previews, so a branch cannot switch them on for itself). A file with errors fails the build like a bad
 * stack.yml, with every problem as {@code .driftless.yml:line:column} and nothing deployed; the repository's
 * targets stay those of the last good file.
 */
public final class RepositoryFileImporter {
    private static final Logger LOG = LoggerFactory.getLogger(RepositoryFileImporter.class);

    private final NotificationSettings settings;
    private final AuditLog audit;
    private final Transactions store;
    private final Clock clock;
    private final PreviewSettings previews = new PreviewSettings();

    public RepositoryFileImporter(NotificationSettings settings, AuditLog audit, Transactions store, Clock clock) {
        this.settings = settings;
        this.audit = audit;
        this.store = store;
        this.clock = clock;
    }

    /** {@code inner} with {@code .driftless.yml} read after each checkout. */
    public CommitBuilder around(CommitBuilder inner) {
        return request -> {
            AtomicReference<List<StackProblem>> invalid = new AtomicReference<>();
            BuildListener downstream = request.listener() != null ? request.listener() : BuildListener.discard();
            BuildListener listener = new BuildListener() {
                @Override
                public void log(String function, String line) {
                    downstream.log(function, line);
                }

                @Override
                public void functionFinished(FunctionBuild result) {
                    downstream.functionFinished(result);
                }

                @Override
                public void checkedOut(Path repository) {
                    downstream.checkedOut(repository);
                    RepositoryFile.Parsed parsed = read(repository, line -> downstream.log(null, line));
                    if (!parsed.valid()) {
                        invalid.set(parsed.problems());
                        return;
                    }
                    store(request, parsed.targets(), line -> downstream.log(null, line));
                    storePreviews(request, parsed.previews(), line -> downstream.log(null, line));
                }
            };
            BuildResult result = inner.build(new BuildRequest(request.owner(), request.repository(), request.source(),
                    request.commit(), request.environment(), listener));
            if (invalid.get() != null) {
                throw new StackInvalidException(invalid.get());
            }
            return result;
        };
    }

    static RepositoryFile.Parsed read(Path checkout, java.util.function.Consumer<String> log) {
        Path file = checkout.resolve(RepositoryFile.NAME);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return new RepositoryFile.Parsed(List.of(), List.of());
        }
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > RepositoryFile.MAX_BYTES) {
                return new RepositoryFile.Parsed(List.of(), List.of(new StackProblem(RepositoryFile.NAME, 1, 1,
                        StackProblem.Severity.ERROR, "must be a regular file of at most " + RepositoryFile.MAX_BYTES + " bytes")));
            }
            RepositoryFile.Parsed parsed = RepositoryFile.parse(Files.readString(file, StandardCharsets.UTF_8));
            parsed.problems().forEach(p -> log.accept(p.toString()));
            return parsed;
        } catch (IOException e) {
            return new RepositoryFile.Parsed(List.of(), List.of(new StackProblem(RepositoryFile.NAME, 1, 1,
                    StackProblem.Severity.ERROR, "cannot be read as UTF-8 text: " + e.getMessage())));
        }
    }

    private void storePreviews(BuildRequest request, PreviewSettings.Switches switches,
                               java.util.function.Consumer<String> log) {
        try {
            boolean changed = store.inTransaction(tx -> {
                if (previews.find(tx, request.owner(), request.repository()).equals(switches)) {
                    return false;
                }
                previews.put(tx, request.owner(), request.repository(), switches, clock.instant());
                audit.append(tx, AuditEntry.of(request.owner(), "git:" + request.repository(), AuditAction.PREVIEWS_CHANGED,
                        request.repository(), new JsonObject().put("source", RepositoryFile.NAME)
                                .put("commit", request.commit()).put("branches", switches.branchPreviews())
                                .put("comment", switches.prComment())));
                return true;
            });
            if (changed) {
                log.accept(RepositoryFile.NAME + ": branch previews " + (switches.branchPreviews() ? "on" : "off")
                        + ", pull request comment " + (switches.prComment() ? "on" : "off"));
                LOG.info("event=previews.switches owner={} repository={} branches={} comment={} commit={}",
                        request.owner(), request.repository(), switches.branchPreviews(), switches.prComment(),
                        request.commit());
            }
        } catch (SQLException e) {
            log.accept(RepositoryFile.NAME + ": preview switches could not be stored: " + e.getMessage());
            LOG.warn("event=previews.switches_failed owner={} repository={} error=\"{}\"", request.owner(),
                    request.repository(), e.toString());
        }
    }

    private void store(BuildRequest request, List<NotificationTarget> targets, java.util.function.Consumer<String> log) {
        try {
            List<NotificationTarget> before = settings.repositoryTargets(request.owner(), request.repository());
            if (before.equals(targets)) {
                return;
            }
            settings.putRepositoryTargets(request.owner(), request.repository(), request.commit(), targets);
            audit.append(AuditEntry.of(request.owner(), "git:" + request.repository(), AuditAction.NOTIFICATIONS_CHANGED,
                    request.repository(), new JsonObject().put("source", RepositoryFile.NAME)
                            .put("commit", request.commit()).put("targets", NotificationRoutes.describe(targets))));
            log.accept(RepositoryFile.NAME + ": " + targets.size() + " notification target(s)");
        } catch (SQLException e) {
            log.accept(RepositoryFile.NAME + ": notification targets could not be stored: " + e.getMessage());
            LOG.warn("event=notifications.repository_file_failed owner={} repository={} error=\"{}\"", request.owner(),
                    request.repository(), e.toString());
        }
    }
}
