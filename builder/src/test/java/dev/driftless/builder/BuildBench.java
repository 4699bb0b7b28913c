package dev.driftless.builder;

import dev.driftless.templates.Templates;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Build times of a template's sample function (checkout + compile + tests + image + push), run by
 * {@code bench/build/run.sh}: cold (empty build cache, new registry repository), warm (a new commit that
 * does not touch the function: reused), handler-only change (the handler source edited: one new layer).
 * Usage: {@code BuildBench <registry host:port> <runs> [lang,lang,...]} (default java17); prints Markdown tables.
 */
public final class BuildBench {
    /** The handler file of each sample and its comment syntax: a handler-only change appends a comment line. */
    private static final Map<String, String[]> HANDLER_FILES = Map.of(
            "java17", new String[] {"src/main/java/com/openfaas/function/Handler.java", "//"},
            "python3", new String[] {"handler.py", "#"},
            "python3-http", new String[] {"handler.py", "#"},
            "node20", new String[] {"handler.js", "//"},
            "node", new String[] {"handler.js", "//"},
            "go", new String[] {"handler.go", "//"},
            "golang-middleware", new String[] {"handler.go", "//"},
            "ruby", new String[] {"handler.rb", "#"},
            "csharp", new String[] {"FunctionHandler.cs", "//"});

    public static void main(String[] args) throws Exception {
        String registry = args[0];
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (String lang : (args.length > 2 ? args[2] : "java17").split(",")) {
            bench(registry, runs, lang.strip());
        }
    }

    private static void bench(String registry, int runs, String lang) throws Exception {
        String[] handlerFile = HANDLER_FILES.get(lang);
        if (handlerFile == null) {
            throw new IllegalArgumentException("no sample handler known for " + lang + "; known: " + HANDLER_FILES.keySet());
        }
        Path root = Files.createTempDirectory("driftless-build-bench");
        try {
            List<Double> cold = new ArrayList<>();
            List<Double> warm = new ArrayList<>();
            List<Double> change = new ArrayList<>();
            List<Double> changeTemplate = new ArrayList<>();
            List<Double> changeImage = new ArrayList<>();
            List<Double> coldTemplate = new ArrayList<>();
            List<Double> coldImage = new ArrayList<>();
            Templates templates = Templates.builtIn();
            for (int run = 0; run < runs; run++) {
                Path dir = root.resolve("run" + run);
                GitRepo repo = GitRepo.init(dir.resolve("src"));
                templates.writeSample(lang, repo.dir.resolve("hello"));
                repo.write("stack.yml", "version: 1.0\nprovider:\n  name: openfaas\nfunctions:\n  hello:\n    lang: " + lang + "\n    handler: ./hello\n");
                String first = repo.commit("sample");
                Builder builder = new Builder(BuilderConfig.builder().workRoot(dir.resolve("work")).cacheRoot(dir.resolve("cache"))
                        .registry(registry, true).templates(templates.all()).build());
                String owner = "bench" + System.nanoTime();

                cold.add(time(builder, repo, owner, first, FunctionBuild.Outcome.BUILT, coldTemplate, coldImage));
                String unrelated = repo.write("README.md", "docs only\n").commit("docs");
                warm.add(time(builder, repo, owner, unrelated, FunctionBuild.Outcome.REUSED, new ArrayList<>(), new ArrayList<>()));
                Path handler = repo.dir.resolve("hello").resolve(handlerFile[0]);
                Files.writeString(handler, Files.readString(handler) + "\n" + handlerFile[1] + " changed in run " + run + "\n"); // gofmt-clean too
                String changed = repo.commit("handler change");
                change.add(time(builder, repo, owner, changed, FunctionBuild.Outcome.BUILT, changeTemplate, changeImage));
                System.err.printf(Locale.ROOT, "%s run %d: cold %.2f s, warm %.2f s, handler change %.2f s%n",
                        lang, run + 1, cold.get(run), warm.get(run), change.get(run));
            }
            System.out.println("| build of the " + lang + " sample (" + runs + " runs) | median | min | max |");
            System.out.println("| --- | --- | --- | --- |");
            row("cold: empty build cache, new registry repository (checkout, compile, tests, image, push)", cold);
            row("warm: new commit, function unchanged (checkout, stack.yml, cache hit, manifest HEAD)", warm);
            row("handler-only change (checkout, compile, tests, image, push of one new layer)", change);
            row("- of which cold: template build (compile and tests)", coldTemplate);
            row("- of which cold: image (Jib layers + push)", coldImage);
            row("- of which handler change: template build (compile and tests)", changeTemplate);
            row("- of which handler change: image (Jib layers + push)", changeImage);
            System.out.println();
        } finally {
            Workspace.deleteTree(root);
        }
    }

    private static double time(Builder builder, GitRepo repo, String owner, String commit, FunctionBuild.Outcome expected,
                               List<Double> templatePhase, List<Double> imagePhase) throws Exception {
        long start = System.nanoTime();
        RecordingListener log = new RecordingListener();
        BuildResult result = builder.build(new BuildRequest(owner, "bench", repo.source(), commit, Map.of(), log));
        double seconds = (System.nanoTime() - start) / 1e9;
        FunctionBuild f = result.functions().get(0);
        if (f.outcome() != expected) {
            throw new IllegalStateException("expected " + expected + " but got " + f.outcome() + " " + f.reason() + "\n" + log.all());
        }
        for (String line : log.of("hello")) {
            phase(line, "template build (compile and tests) took ", templatePhase);
            phase(line, "image took ", imagePhase);
        }
        return seconds;
    }

    private static void phase(String line, String prefix, List<Double> into) {
        if (line.startsWith(prefix)) {
            into.add(Long.parseLong(line.substring(prefix.length(), line.length() - " ms".length())) / 1000.0);
        }
    }

    private static void row(String what, List<Double> seconds) {
        List<Double> sorted = new ArrayList<>(seconds);
        Collections.sort(sorted);
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        System.out.printf(Locale.ROOT, "| %s | %.2f s | %.2f s | %.2f s |%n", what, median, sorted.get(0), sorted.get(sorted.size() - 1));
    }
}
