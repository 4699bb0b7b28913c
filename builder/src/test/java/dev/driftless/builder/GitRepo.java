package dev.driftless.builder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A real git repository in a temp folder, driven by the system {@code git}. */
final class GitRepo {
    final Path dir;

    private GitRepo(Path dir) {
        this.dir = dir;
    }

    static GitRepo init(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        GitRepo repo = new GitRepo(dir);
        repo.git("init", "-q", "-b", "main");
        repo.git("config", "user.email", "test@driftless.dev");
        repo.git("config", "user.name", "test");
        repo.git("config", "commit.gpgsign", "false");
        return repo;
    }

    GitRepo write(String path, String content) throws IOException {
        Path file = dir.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return this;
    }

    GitRepo symlink(String path, String target) throws IOException {
        Path link = dir.resolve(path);
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, Path.of(target));
        return this;
    }

    /** Commits everything; returns the commit SHA. */
    String commit(String message) throws IOException, InterruptedException {
        git("add", "-A");
        git("commit", "-q", "-m", message);
        return git("rev-parse", "HEAD").trim();
    }

    String url() {
        return dir.toUri().toString();
    }

    RepoSource source() {
        return RepoSource.of(url());
    }

    /** A bare repository, for commands like {@code update-server-info}. */
    record Bare(Path dir) {
        String git(String... args) throws IOException, InterruptedException {
            return new GitRepo(dir).git(args);
        }
    }

    String git(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(Map.of("GIT_CONFIG_NOSYSTEM", "1", "HOME", dir.toString()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("git " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
