package dev.driftless.builder;

import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.global.JibSystemProperties;
import dev.driftless.templates.FunctionTemplate;
import dev.driftless.templates.TemplateBuild;
import dev.driftless.templates.TemplateContext;
import dev.driftless.templates.TemplateException;
import dev.driftless.templates.TestsFailedException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Turns one commit into images by digest. A build is a short plan of repeatable steps: check out the
 * exact commit into a fresh workspace (guarded), read and validate stack.yml, then per function: cache
 * lookup, template build (compile + the handler's tests), image (Jib), result. A function that fails
 * fails alone; the workspace is removed afterwards in every case. Blocking: call it on a worker thread.
 *
 * <pre>{@code
 * Builder builder = new Builder(config);
 * BuildResult result = builder.build(new BuildRequest("alice", "fns", RepoSource.of(url), sha, Map.of(), listener));
 * ImageContents image = builder.imageSource().read(result.functions().get(0).image().orElseThrow());
 * }</pre>
 */
public final class Builder {
    private final BuilderConfig config;
    private final TemplateCatalog catalog;
    private final ImageTarget target;
    private final BuildCache cache;
    private final StackFileParser parser;
    private final GitCheckout checkout;
    private final TemplateRepositories templateRepositories;
    private final BuildOptions buildOptions = new BuildOptions(BuildOptions.dpkg());
    private final ImageAssembler assembler = new ImageAssembler();

    public Builder(BuilderConfig config) {
        this.config = config;
        this.catalog = new TemplateCatalog(config.templates());
        this.target = config.target() instanceof BuilderConfig.RegistryTarget r
                ? new RegistryPublisher(r.hostPort(), r.insecure(), config.registryCredentials())
                : new LocalImageStore(((BuilderConfig.LocalStoreTarget) config.target()).folder());
        boolean plainHttp = config.insecureBaseRegistries()
                || config.target() instanceof BuilderConfig.RegistryTarget r && r.insecure();
        if (plainHttp && config.registryCredentials().configured()) {
            // Jib sends credentials over plain HTTP only when told to (a JVM-wide switch); an operator who set a
            // plain-HTTP registry and credentials for it told us so.
            System.setProperty(JibSystemProperties.SEND_CREDENTIALS_OVER_HTTP, "true");
        }
        this.cache = new BuildCache(config.cacheRoot());
        this.parser = new StackFileParser(catalog, config.maxMemoryBytes(), config.maxCpuMillis(), config.maxFunctions());
        this.checkout = new GitCheckout(config.checkoutTimeout(), new RepoGuard(config.maxRepoBytes(), config.maxFiles()),
                config.maxRepoBytes());
        this.templateRepositories = new TemplateRepositories(config.cacheRoot(), checkout, config.localTemplateSources());
    }

    public BuilderConfig config() {
        return config;
    }

    /** Reads back, by digest, the images this builder produces (from the registry or the local image store). */
    public ImageSource imageSource() {
        return target;
    }

    /**
     * Removes images from the local image store: those of {@code images} (references {@code repo@sha256:…})
     * whose digest is not in {@code inUse}, with the blobs no other stored image shares. A registry is left to
     * its own garbage collection (a pushed digest may be pulled by anyone), so with a registry this removes
     * nothing. Returns how many images were removed.
     */
    public int removeLocalImages(java.util.Collection<String> images, java.util.Set<String> inUse) throws IOException {
        if (!(target instanceof LocalImageStore store)) {
            return 0;
        }
        java.util.Set<String> digests = new java.util.HashSet<>();
        for (String image : images) {
            int at = image.indexOf('@');
            if (at > 0 && image.startsWith(LocalImageStore.REGISTRY + "/")) {
                digests.add(image.substring(at + 1));
            }
        }
        return digests.isEmpty() ? 0 : store.remove(digests, inUse);
    }

    /** Every {@code lang} value stack.yml may use, sorted. */
    public List<String> supportedLangs() {
        return catalog.supported();
    }

    /**
     * Builds every function of the commit.
     *
     * @throws StackInvalidException when stack.yml has errors (all of them, with line and column)
     * @throws BuildException        when the commit cannot be checked out or a guard refuses it
     */
    public BuildResult build(BuildRequest request) throws BuildException, InterruptedException {
        BuildListener listener = request.listener() != null ? request.listener() : BuildListener.discard();
        List<String> secrets = new ArrayList<>(Redactor.secretValues(request.environment()));
        request.source().token().ifPresent(secrets::add);
        Redactor redactor = new Redactor(secrets);
        Consumer<String> log = line -> listener.log(null, redactor.redact(line));
        if (request.owner() == null || request.owner().isBlank() || request.repository() == null || request.repository().isBlank()) {
            throw new BuildException("owner and repository are required");
        }
        Workspace workspace;
        try {
            workspace = Workspace.create(config.workRoot());
        } catch (IOException e) {
            throw new BuildException("cannot create a workspace under " + config.workRoot() + ": " + e.getMessage(), e);
        }
        try {
            long started = System.nanoTime();
            log.accept("checking out " + request.commit() + " from " + GitCheckout.safeUrl(request.source().url()));
            checkout.checkout(request.source(), request.commit(), workspace.repo(), log);
            log.accept("checked out in " + millis(started) + " ms");
            Path repo = workspace.repo().toRealPath();
            listener.checkedOut(repo);
            StackFile stack = resolveTemplates(readStack(repo, request.environment(), log), log);
            log.accept(stack.file() + ": " + stack.functions().size() + " function(s)");
            Context context = new Context(request, workspace, repo, stack, redactor, listener);
            List<FunctionBuild> results = new ArrayList<>();
            for (StackFile.Function function : stack.functions()) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException("build interrupted");
                }
                FunctionBuild result = buildFunction(context, function);
                results.add(result);
                listener.functionFinished(result);
            }
            log.accept("build finished in " + millis(started) + " ms");
            return new BuildResult(request.commit(), results);
        } catch (IOException e) {
            throw new BuildException("build failed: " + (diskFull(e) ? "disk full: " : "")
                    + redactor.redact(String.valueOf(e.getMessage())), e);
        } catch (RuntimeException e) {
            // JGit reports ENOSPC as an unchecked JGitInternalException: say which disk, keep it retryable (unchecked).
            if (diskFull(e)) {
                throw new IllegalStateException("disk full (No space left on device) under " + config.workRoot(), e);
            }
            throw e;
        } finally {
            try {
                workspace.close();
            } catch (IOException e) {
                log.accept("warning: could not remove the workspace " + workspace.root() + ": " + e.getMessage());
            }
        }
    }

    private StackFile readStack(Path repo, Map<String, String> variables, Consumer<String> log) throws BuildException, IOException {
        for (String name : config.stackFileNames()) {
            Path file = repo.resolve(name);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            if (Files.size(file) > StackFileParser.MAX_STACK_FILE_BYTES) {
                throw new StackInvalidException(List.of(new StackProblem(name, 1, 1, StackProblem.Severity.ERROR,
                        name + " is larger than 1 MiB")));
            }
            StackFileParser.Outcome outcome = parser.parse(repo, name, Files.readString(file, StandardCharsets.UTF_8), variables);
            if (outcome.stack().isEmpty()) {
                throw new StackInvalidException(outcome.problems());
            }
            outcome.warnings().forEach(w -> log.accept(w.toString()));
            return outcome.stack().get();
        }
        throw new StackInvalidException(List.of(new StackProblem(config.stackFileNames().get(0), 1, 1, StackProblem.Severity.ERROR,
                "no " + String.join(" or ", config.stackFileNames()) + " at the repository root")));
    }

    /**
     * Fetches the pinned {@code configuration.templates} repositories and applies what they are: a built-in name maps onto
     * Driftless's own template, any other fails the functions that use it. A repository that cannot be fetched, a commit
     * that is not in it, or a template that is not in it makes the whole stack invalid: nothing is built or deployed.
     */
    private StackFile resolveTemplates(StackFile stack, Consumer<String> log) throws BuildException, InterruptedException {
        List<StackProblem> problems = new ArrayList<>();
        Map<String, TemplateRepositories.Resolved> resolved = new LinkedHashMap<>();
        for (StackFile.TemplateSource source : stack.templates()) {
            if (source.commit().isEmpty()) {
                continue; // built in, unpinned: the parser warned that it is not fetched
            }
            try {
                resolved.put(source.name(), templateRepositories.resolve(source, catalog.supported(), log));
            } catch (BuildException e) {
                problems.add(new StackProblem(stack.file(), source.line(), source.column(), StackProblem.Severity.ERROR,
                        "configuration.templates '" + source.name() + "': " + e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new StackInvalidException(problems);
        }
        List<StackFile.Function> functions = new ArrayList<>();
        for (StackFile.Function fn : stack.functions()) {
            if (fn.template() == null && fn.failure().isPresent()
                    && resolved.get(fn.lang()) instanceof TemplateRepositories.Refused refused) {
                StackProblem at = fn.failure().get();
                fn = fn.withFailure(new StackProblem(at.file(), at.line(), at.column(), StackProblem.Severity.ERROR, "lang '" + fn.lang()
                        + "': " + refused.reason() + " (configuration.templates at " + stack.template(fn.lang()).orElseThrow().where(stack.file()) + ")"));
            }
            if (fn.failure().isEmpty() && !fn.buildOptions().isEmpty()) {
                TemplateRepositories.Resolved fetched = resolved.getOrDefault(fn.lang(), resolved.get(fn.template()));
                Map<String, List<String>> defined = fetched instanceof TemplateRepositories.Mapped mapped
                        ? mapped.buildOptions() : BuildOptions.OPENFAAS_TEMPLATES.getOrDefault(fn.template(), Map.of());
                String name = fn.name();
                Optional<StackProblem> problem = buildOptions.check(stack.file(), fn, defined, line -> log.accept(name + ": " + line));
                if (problem.isPresent()) {
                    fn = fn.withFailure(problem.get());
                }
            }
            functions.add(fn);
        }
        return stack.withFunctions(functions);
    }

    /** What every function of one build shares. */
    private record Context(BuildRequest request, Workspace workspace, Path repo, StackFile stack, Redactor redactor,
                           BuildListener listener) { }

    private FunctionBuild buildFunction(Context ctx, StackFile.Function fn) throws InterruptedException {
        List<String> envSecrets = fn.environment().entrySet().stream()
                .filter(e -> Redactor.looksSecret(e.getKey())).map(Map.Entry::getValue).toList();
        FunctionLog log = new FunctionLog(ctx.listener(), fn.name(), ctx.redactor().with(envSecrets), config.maxLogBytesPerFunction());
        FunctionSpec spec = fn.spec();
        if (fn.failure().isPresent()) {
            log.always(fn.failure().get().toString());
            return new FunctionBuild(fn.name(), FunctionBuild.Outcome.FAILED, Optional.empty(), fn.failure().get().message(), spec, "");
        }
        if (fn.skipBuild()) {
            log.always("skip_build is true: not built");
            return new FunctionBuild(fn.name(), FunctionBuild.Outcome.SKIPPED, Optional.empty(), "skip_build: true", spec, "");
        }
        long started = System.nanoTime();
        String key = "";
        boolean pushing = false;
        try {
            FunctionTemplate template = catalog.find(fn.template()).orElseThrow();
            fn.image().ifPresent(image -> log.line("stack.yml image '" + image + "' is informational; the image goes to "
                    + target.repository(ctx.request().owner(), ctx.request().repository(), fn.name())));
            Path stage = ctx.workspace().functionDir(fn.name(), "handler");
            HandlerStage.copyTree(ctx.repo().resolve(fn.handler()), stage, ctx.repo());
            for (String extra : ctx.stack().copy()) {
                HandlerStage.copyTree(ctx.repo().resolve(extra), stage.resolve(extra), ctx.repo());
            }
            BaseImage base = base(template);
            String repository = target.repository(ctx.request().owner(), ctx.request().repository(), fn.name());
            String source = GitCheckout.safeUrl(ctx.request().source().url());
            key = BuildCache.key(cacheInputs(ctx, fn, template, base, repository, source, HandlerStage.treeHash(stage)));

            Optional<ImageRef> cached = cache.lookup(key);
            if (cached.isPresent() && target.exists(cached.get())) {
                log.always("reusing " + cached.get().digest() + " (inputs unchanged)");
                return new FunctionBuild(fn.name(), FunctionBuild.Outcome.REUSED, cached, "", spec, key);
            }

            log.step("building " + fn.name() + " with template " + template.name() + " " + template.version());
            long templateStarted = System.nanoTime();
            TemplateBuild built = template.build(new TemplateContext(fn.name(), stage, ctx.workspace().functionDir(fn.name(), "work"),
                    fn.buildArgs(), config.testTimeout(), log));
            log.line("tests: " + built.tests().run() + " run, " + built.tests().failed() + " failed, " + built.tests().skipped() + " skipped");
            log.line("template build (compile and tests) took " + millis(templateStarted) + " ms");

            log.step("image " + repository + " (base " + base.identity() + ")");
            Map<String, String> labels = ImageAssembler.labels(source, ctx.request().commit(), ctx.request().owner(),
                    ctx.request().repository(), fn.name());
            long imageStarted = System.nanoTime();
            JibContainerBuilder container = assembler.assemble(base, built, labels, log::line);
            pushing = true;
            ImageRef image = target.containerize(container, repository, ctx.request().commit().substring(0, 7),
                    new ImageTarget.JibSettings(config.insecureBaseRegistries(), config.cacheRoot().resolve("jib-base"),
                            ctx.workspace().functionDir(fn.name(), "jib")), log::line);
            cache.store(key, image);
            log.line("image took " + millis(imageStarted) + " ms");
            log.always("built " + image + " in " + millis(started) + " ms");
            return new FunctionBuild(fn.name(), FunctionBuild.Outcome.BUILT, Optional.of(image), "", spec, key);
        } catch (TestsFailedException e) {
            return failed(log, fn, spec, key, e.getMessage());
        } catch (TemplateException e) {
            return failed(log, fn, spec, key, e.getMessage());
        } catch (IOException e) {
            // The registry failing the push, or a full disk, is not the repository's fault: worth another try.
            boolean retryable = pushing || diskFull(e);
            return failed(log, fn, spec, key, (diskFull(e) ? "disk full: " : "") + e.getMessage(), retryable);
        } catch (RuntimeException e) {
            return failed(log, fn, spec, key, "internal error: " + e);
        } finally {
            ctx.workspace().removeFunction(fn.name()); // free the disk as soon as the function is done
        }
    }

    private static FunctionBuild failed(FunctionLog log, StackFile.Function fn, FunctionSpec spec, String key, String reason) {
        return failed(log, fn, spec, key, reason, false);
    }

    private static FunctionBuild failed(FunctionLog log, StackFile.Function fn, FunctionSpec spec, String key, String reason,
                                        boolean retryable) {
        String safe = log.redact(reason == null ? "failed" : reason);
        log.always("FAILED: " + safe);
        return new FunctionBuild(fn.name(), FunctionBuild.Outcome.FAILED, Optional.empty(), firstLine(safe), spec, key, retryable);
    }

    /** ENOSPC anywhere in the cause chain (Java reports it only in the message). */
    static boolean diskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String text) {
        String line = text.lines().findFirst().orElse(text);
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    /** Everything that goes into the image; the commit is not among them, so an unchanged function keeps its digest. */
    private Map<String, String> cacheInputs(Context ctx, StackFile.Function fn, FunctionTemplate template, BaseImage base,
                                            String repository, String source, String handlerHash) {
        Map<String, String> inputs = new LinkedHashMap<>();
        inputs.put("handler", handlerHash);
        inputs.put("template", template.name() + "@" + template.version());
        inputs.put("base", base.identity());
        inputs.put("image-format", ImageAssembler.FORMAT_VERSION);
        inputs.put("build-args", new TreeMap<>(fn.buildArgs()).toString());
        if (!fn.buildOptions().isEmpty()) { // only then, so keys made before build_options existed stay valid
            inputs.put("build-options", fn.buildOptions().stream().map(StackFile.BuildOption::name).toList().toString());
        }
        inputs.put("owner", ctx.request().owner());
        inputs.put("repository", ctx.request().repository());
        inputs.put("function", fn.name());
        inputs.put("image-repository", repository);
        inputs.put("source", source);
        inputs.put("test-timeout", config.testTimeout().toString());
        return inputs;
    }

    private BaseImage base(FunctionTemplate template) throws IOException {
        if (config.baseMode() == BuilderConfig.BaseMode.CLUSTER) {
            String image = config.clusterBaseImage(template)
                    .orElseThrow(() -> new IOException("template " + template.name() + " has no cluster base image"));
            if (!image.equals(FunctionTemplate.EMBEDDED_BASE)) {
                return new BaseImage.Registry(image, config.registryCredentials());
            }
        }
        return BaseImage.Embedded.in(config.cacheRoot());
    }

    private static long millis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
