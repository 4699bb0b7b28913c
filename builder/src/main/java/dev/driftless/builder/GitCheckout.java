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
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Fetches exactly one commit into an empty folder and checks it out (detached). First a shallow fetch of
 * the SHA itself (servers that allow it send just that tree), else every branch, then the SHA. The tree
 * is guarded before any file is written.
 */
final class GitCheckout {
    /** How much the download may hold, history included, relative to the limit on the checked-out files. */
    static final int DOWNLOAD_FACTOR = 4;

    private final Duration timeout;
    private final RepoGuard guard;
    private final long maxDownloadBytes;

    GitCheckout(Duration timeout, RepoGuard guard, long maxRepoBytes) {
        this.timeout = timeout;
        this.guard = guard;
        this.maxDownloadBytes = Math.multiplyHigh(maxRepoBytes, DOWNLOAD_FACTOR) != 0 ? Long.MAX_VALUE : maxRepoBytes * DOWNLOAD_FACTOR;
    }

    void checkout(RepoSource source, String commit, Path dir, Consumer<String> log) throws BuildException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Watch watch = new Watch(deadline, dir.resolve(".git/objects"), maxDownloadBytes);
        ObjectId id = ObjectId.fromString(commit);
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("driftless-build").call()) {
            StoredConfig config = git.getRepository().getConfig();
            config.setBoolean("core", null, "symlinks", true);  // links become links, so the guard sees them
            config.setString("core", null, "autocrlf", "false");
            config.save();
            try {
                fetch(git, source, watch).setRefSpecs(new RefSpec(commit + ":refs/driftless/build")).setDepth(1).call();
                log.accept("fetched commit " + commit.substring(0, 7) + " (shallow)");
            } catch (GitAPIException shallowRefused) {
                checkDeadline(deadline);
                watch.checkSize();
                log.accept("the server does not serve single commits; fetching its branches");
                fetch(git, source, watch).setRefSpecs(new RefSpec("+refs/heads/*:refs/remotes/origin/*"),
                        new RefSpec("+refs/tags/*:refs/tags/*")).call();
            }
            checkDeadline(deadline);
            watch.checkSize();
            try (RevWalk walk = new RevWalk(git.getRepository())) {
                walk.parseCommit(id);
            } catch (MissingObjectException e) {
                throw new BuildException("commit " + commit + " is not in the repository");
            }
            guard.checkTree(git.getRepository(), id);
            git.checkout().setName(commit).setProgressMonitor(watch).call();
            checkDeadline(deadline);
        } catch (GitAPIException e) {
            watch.checkSize();
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

    private FetchCommand fetch(Git git, RepoSource source, Watch watch) {
        FetchCommand fetch = git.fetch()
                .setRemote(source.url())
                .setProgressMonitor(watch)
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

    /**
     * Cancels JGit's work at the deadline, or when the downloaded objects grow past the download limit
     * (JGit polls {@code isCancelled} while it transfers and writes; the folder is measured at most every 200 ms).
     */
    private static final class Watch implements ProgressMonitor {
        private final long deadline;
        private final Path objects;
        private final long maxBytes;
        private long nextMeasure;
        private volatile long exceededBytes = -1;

        Watch(long deadline, Path objects, long maxBytes) {
            this.deadline = deadline;
            this.objects = objects;
            this.maxBytes = maxBytes;
        }

        @Override public void start(int totalTasks) { }
        @Override public void beginTask(String title, int totalWork) { }
        @Override public void update(int completed) { }
        @Override public void endTask() { }
        @Override public void showDuration(boolean enabled) { }

        @Override
        public boolean isCancelled() {
            long now = System.nanoTime();
            if (now > deadline || Thread.currentThread().isInterrupted() || exceededBytes >= 0) {
                return true;
            }
            if (now >= nextMeasure) {
                nextMeasure = now + 200_000_000L;
                long size = size(objects);
                if (size > maxBytes) {
                    exceededBytes = size;
                    return true;
                }
            }
            return false;
        }

        void checkSize() throws BuildException {
            long size = exceededBytes >= 0 ? exceededBytes : size(objects);
            if (size > maxBytes) {
                throw new BuildException("repository download passed " + RepoGuard.size(size) + ", the limit is "
                        + RepoGuard.size(maxBytes) + " (" + DOWNLOAD_FACTOR + " times the repository limit, history included)");
            }
        }

        private static long size(Path dir) {
            if (!Files.isDirectory(dir)) {
                return 0;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                    try {
                        return Files.size(p);
                    } catch (IOException gone) {
                        return 0; // JGit renames temporary packs while we measure
                    }
                }).sum();
            } catch (IOException | java.io.UncheckedIOException e) {
                return 0;
            }
        }
    }
}
