package dev.driftless.builder;

import org.eclipse.jgit.api.FetchCommand;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ProgressMonitor;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Fetches exactly one commit into an empty folder and checks it out (detached). First a shallow fetch of
 * the SHA itself (servers that allow it send just that tree), else every branch, then the SHA. The tree
 * is guarded before any file is written.
 */
final class GitCheckout {
    private final Duration timeout;
    private final RepoGuard guard;

    GitCheckout(Duration timeout, RepoGuard guard) {
        this.timeout = timeout;
        this.guard = guard;
    }

    void checkout(RepoSource source, String commit, Path dir, Consumer<String> log) throws BuildException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ObjectId id = ObjectId.fromString(commit);
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("driftless-build").call()) {
            StoredConfig config = git.getRepository().getConfig();
            config.setBoolean("core", null, "symlinks", true);  // links become links, so the guard sees them
            config.setString("core", null, "autocrlf", "false");
            config.save();
            try {
                fetch(git, source, deadline).setRefSpecs(new RefSpec(commit + ":refs/driftless/build")).setDepth(1).call();
                log.accept("fetched commit " + commit.substring(0, 7) + " (shallow)");
            } catch (GitAPIException shallowRefused) {
                checkDeadline(deadline);
                log.accept("the server does not serve single commits; fetching its branches");
                fetch(git, source, deadline).setRefSpecs(new RefSpec("+refs/heads/*:refs/remotes/origin/*"),
                        new RefSpec("+refs/tags/*:refs/tags/*")).call();
            }
            checkDeadline(deadline);
            try (RevWalk walk = new RevWalk(git.getRepository())) {
                walk.parseCommit(id);
            } catch (MissingObjectException e) {
                throw new BuildException("commit " + commit + " is not in the repository");
            }
            guard.checkTree(git.getRepository(), id);
            git.checkout().setName(commit).setProgressMonitor(new Deadline(deadline)).call();
            checkDeadline(deadline);
        } catch (GitAPIException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("checkout interrupted");
            }
            if (System.nanoTime() > deadline) {
                throw timedOut();
            }
            throw new BuildException("cannot fetch " + safeUrl(source.url()) + ": " + redact(rootMessage(e), source), e);
        } catch (IOException e) {
            throw new BuildException("cannot check out " + commit + ": " + redact(rootMessage(e), source), e);
        }
        try {
            guard.checkFiles(dir);
        } catch (IOException e) {
            throw new BuildException("cannot inspect the checkout: " + e.getMessage(), e);
        }
    }

    private FetchCommand fetch(Git git, RepoSource source, long deadline) {
        FetchCommand fetch = git.fetch()
                .setRemote(source.url())
                .setProgressMonitor(new Deadline(deadline))
                .setTimeout((int) Math.max(1, timeout.toSeconds()))
                .setTagOpt(org.eclipse.jgit.transport.TagOpt.NO_TAGS);
        source.token().ifPresent(t -> fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider("x-access-token", t)));
        return fetch;
    }

    private void checkDeadline(long deadline) throws BuildException {
        if (System.nanoTime() > deadline) {
            throw timedOut();
        }
    }

    private BuildException timedOut() {
        String limit = timeout.toMillis() < 1000 ? timeout.toMillis() + " ms" : timeout.toSeconds() + " s";
        return new BuildException("checkout took longer than the limit of " + limit);
    }

    /** The URL without user info, for labels and messages. */
    static String safeUrl(String url) {
        return url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", "$1");
    }

    private static String redact(String text, RepoSource source) {
        String out = text == null ? "" : text;
        if (source.token().isPresent() && !source.token().get().isEmpty()) {
            out = out.replace(source.token().get(), "***");
        }
        return out.replaceAll("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]*@", "$1");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /** Cancels JGit's work at the deadline (JGit polls {@code isCancelled} while it transfers and writes). */
    private record Deadline(long nanos) implements ProgressMonitor {
        @Override public void start(int totalTasks) { }
        @Override public void beginTask(String title, int totalWork) { }
        @Override public void update(int completed) { }
        @Override public void endTask() { }
        @Override public void showDuration(boolean enabled) { }

        @Override
        public boolean isCancelled() {
            return System.nanoTime() > nanos || Thread.currentThread().isInterrupted();
        }
    }
}
