package dev.driftless.reconciler.cli;

import dev.driftless.builder.BuildException;
import dev.driftless.builder.BuildListener;
import dev.driftless.builder.BuildRequest;
import dev.driftless.builder.BuildResult;
import dev.driftless.builder.Builder;
import dev.driftless.builder.BuilderConfig;
import dev.driftless.builder.FunctionBuild;
import dev.driftless.builder.RepoSource;
import dev.driftless.builder.StackInvalidException;
import dev.driftless.builder.StackProblem;
import dev.driftless.templates.Templates;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code driftless build FOLDER}: builds the functions of a git repository folder's last commit exactly as the
 * daemon does (checkout, stack.yml, each template's lint and tests, image), into the local image store of a data
 * folder, with no daemon running. Shows whether a repository builds on this machine or inside the daemon's image.
 */
public final class BuildCommand {
    static final String HELP = """
            Usage: driftless build FOLDER [--data DIR] [--owner NAME]

            Builds the functions of FOLDER's stack.yml at its HEAD commit (FOLDER must be a git repository) as the
            daemon does: each template's lint and unit tests, then one image per function into the local image store
            DIR/images (DIR: --data, else DRIFTLESS_DATA). Prints the build log and one line per function.
            Images get the embedded base (the one the local runtime runs), whatever the runtime setting.
            Exit codes: 0 every function built (or skipped), 1 a function failed or stack.yml is invalid, 2 usage error.
            """;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public BuildCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    public ExitCode run(List<String> args) throws UsageException, InterruptedException {
        Arguments a = Arguments.parse(args, Set.of("data", "owner"));
        if (a.help()) {
            out.print(HELP);
            return ExitCode.OK;
        }
        if (a.positional().size() != 1) {
            throw new UsageException("build needs exactly one FOLDER (a git repository with a stack.yml)");
        }
        Path folder = Path.of(a.positional().get(0)).toAbsolutePath().normalize();
        Path data = a.option("data").or(() -> Optional.ofNullable(env.get("DRIFTLESS_DATA")).filter(s -> !s.isBlank()))
                .map(Path::of).orElseThrow(() -> new UsageException("build needs --data DIR or DRIFTLESS_DATA"));
        String owner = a.option("owner").orElse("local");
        if (!owner.matches("[a-z0-9]([a-z0-9-]{0,37}[a-z0-9])?")) {
            throw new UsageException("--owner must be a lower-case DNS label: " + owner);
        }
        if (!Files.isDirectory(folder)) {
            throw new UsageException("no such folder: " + folder);
        }
        String commit;
        try {
            commit = headCommit(folder);
        } catch (IOException e) {
            err.println("driftless: " + folder + " is not a git repository with a commit (git init && git add -A && git commit): "
                    + e.getMessage());
            return ExitCode.USAGE;
        }
        // Closed at the end: one build, so no standby build JVM may outlive the command.
        try (Templates templates = Templates.builtIn()) {
            Builder builder = new Builder(BuilderConfig.builder()
                    .workRoot(data.resolve("work"))
                    .cacheRoot(data.resolve("cache"))
                    .templates(templates.all())
                    .baseMode(BuilderConfig.BaseMode.EMBEDDED)
                    .localImageStore(data.resolve("images"))
                    .build());
            String repository = repositoryName(folder);
            BuildListener listener = (function, line) -> out.println(function == null ? line : "[" + function + "] " + line);
            BuildResult result;
            try {
                result = builder.build(new BuildRequest(owner, repository, RepoSource.of(folder.toString()), commit, Map.of(), listener));
            } catch (StackInvalidException e) {
                for (StackProblem problem : e.problems()) {
                    err.println(problem);
                }
                err.println("driftless: stack.yml is invalid; nothing built");
                return ExitCode.RUNTIME_FAILURE;
            } catch (BuildException e) {
                err.println("driftless: " + e.getMessage());
                return ExitCode.RUNTIME_FAILURE;
            }
            boolean failed = false;
            for (FunctionBuild function : result.functions()) {
                String outcome = function.outcome().name().toLowerCase(Locale.ROOT);
                out.println(function.name() + ": " + outcome
                        + function.image().map(image -> " " + image.repository() + "@" + image.digest()).orElse("")
                        + (function.outcome() == FunctionBuild.Outcome.FAILED ? " (" + function.reason() + ")" : ""));
                failed |= function.outcome() == FunctionBuild.Outcome.FAILED;
            }
            out.println((failed ? "build failed: " : "build ok: ") + owner + "/" + repository + " at " + commit.substring(0, 7)
                    + ", images in " + data.resolve("images"));
            return failed ? ExitCode.RUNTIME_FAILURE : ExitCode.OK;
        }
    }

    private static String headCommit(Path folder) throws IOException {
        try (Git git = Git.open(folder.toFile())) {
            ObjectId head = git.getRepository().resolve("HEAD^{commit}");
            if (head == null) {
                throw new IOException("HEAD has no commit");
            }
            return head.name();
        }
    }

    /** The folder's name as the repository name the daemon would use (lower-case, DNS-safe). */
    static String repositoryName(Path folder) {
        String name = folder.getFileName() == null ? "" : folder.getFileName().toString().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9-]+", "-").replaceAll("^-+|-+$", "");
        return name.isEmpty() ? "repository" : name.length() > 40 ? name.substring(0, 40).replaceAll("-+$", "") : name;
    }
}
