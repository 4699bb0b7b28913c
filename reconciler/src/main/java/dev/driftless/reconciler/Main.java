package dev.driftless.reconciler;

import dev.driftless.reconciler.cli.Arguments;
import dev.driftless.reconciler.cli.ExitCode;
import dev.driftless.reconciler.cli.ApiCommand;
import dev.driftless.reconciler.cli.UsageException;
import dev.driftless.reconciler.config.ConfigException;
import dev.driftless.reconciler.config.ConfigLoader;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.github.AppManifestFlow;
import dev.driftless.reconciler.github.StoredGitHubApp;
import dev.driftless.reconciler.intake.TokenStore;
import dev.driftless.reconciler.store.Database;

import dev.driftless.reconciler.secrets.SecretCommand;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import dev.driftless.reconciler.demo.Demo;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** The {@code driftless} command line. */
public final class Main {
    static final String USAGE = """
            Usage: driftless <command> [options]

            Commands:
              serve [--config FILE]                       run the daemon (webhooks, git endpoint, jobs, gateway)
              demo [--once]                               the whole loop on this machine: push samples, build, serve
              build FOLDER [--data DIR]                   build a git folder's stack.yml functions as the daemon does, no daemon
              github app-manifest --url URL [options]     create the GitHub App from a manifest; stores its credentials
              token create <owner> [--config FILE]        create a git push/API token for an owner; printed once
              secret create|list|delete <owner> [<name>]  owners' secrets, encrypted at rest (value from stdin or --from-file)
              secret seal <owner> <name>                  print a value sealed for this daemon, to commit in the repository
              secret rotate-key                           new encryption key; every secret re-encrypted, old keys still read
              rollback <owner>/<function> <release>       redeploy an earlier release through the running daemon
              suspend <owner>/<repository>                stop reconciling a repository (what runs keeps running)
              resume <owner>/<repository>                 reconcile a suspended repository again
                       [--url URL] [--token TOKEN] [--config FILE]

            Every setting comes from --config FILE (YAML) and DRIFTLESS_* environment variables (see README.md).
            Run 'driftless <command> --help' for a command's help.
            Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 configuration error.
            """;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;

    Main(Map<String, String> env, PrintStream out, PrintStream err) {
        this(env, System.in, out, err);
    }

    Main(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // Always exit: after a graceful stop nothing is left to wait for (a stray non-daemon thread must not keep
        // a stopped daemon's JVM alive).
        System.exit(new Main(System.getenv(), System.out, System.err).run(List.of(args)).code());
    }

    ExitCode run(List<String> args) {
        if (args.isEmpty()) {
            err.print(USAGE);
            return ExitCode.USAGE;
        }
        if (args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            out.print(USAGE);
            return ExitCode.OK;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "serve" -> serve(rest);
                case "demo" -> demo(rest);
                case "build" -> new dev.driftless.reconciler.cli.BuildCommand(env, out, err).run(rest);
                case "github" -> github(rest);
                case "token" -> token(rest);
                case "secret" -> new SecretCommand(this::load, in, out, err, Clock.systemUTC()).run(rest);
                case "rollback" -> rollback(rest);
                case "suspend" -> suspend(rest, true);
                case "resume" -> suspend(rest, false);
                default -> throw new UsageException("unknown command '" + args.get(0) + "'");
            };
        } catch (UsageException e) {
            err.println("driftless: " + e.getMessage());
            err.println("Run 'driftless --help' for usage.");
            return ExitCode.USAGE;
        } catch (ConfigException e) {
            err.println("driftless: configuration error: " + e.getMessage());
            return ExitCode.CONFIGURATION;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCode.RUNTIME_FAILURE;
        } catch (Exception e) {
            err.println("driftless: " + describe(e));
            return ExitCode.RUNTIME_FAILURE;
        }
    }

    private ExitCode serve(List<String> args) throws Exception {
        Arguments a = Arguments.parse(args, Set.of("config"));
        if (a.help()) {
            out.println("Usage: driftless serve [--config FILE]\n\nRuns the daemon until SIGTERM/SIGINT; stopping drains running jobs."
                    + "\nHTTP port: API, POST /webhooks/github, /git/*, /healthz, /readyz, /metrics.");
            return ExitCode.OK;
        }
        noPositional(a, "serve");
        DriftlessConfig config = load(a);
        List<DaemonModule> modules = new ArrayList<>();
        ServiceLoader.load(DaemonModule.class).forEach(modules::add);
        Daemon daemon = Daemon.start(config, modules);
        CountDownLatch stopped = GracefulStop.install(daemon);
        out.println("driftless: serving on http://0.0.0.0:" + daemon.httpPort() + " (data " + config.data() + ")");
        stopped.await();
        return ExitCode.OK;
    }

    private ExitCode demo(List<String> args) throws Exception {
        Arguments a = Arguments.parse(args, Set.of("config"), Set.of("once"));
        if (a.help()) {
            out.println("Usage: driftless demo [--once] [--config FILE]\n\n"
                    + "Starts the daemon with the embedded defaults, pushes a sample repository (java17, python3 and\n"
                    + "node20 functions from the templates' samples) with git to the built-in endpoint, follows the\n"
                    + "build, waits until every function answers over HTTPS and calls it, then pushes a change to one\n"
                    + "function and shows that only it was rebuilt, with the time from push to the new version serving.\n"
                    + "Prints the endpoints, dashboard and badge URLs and a token to log in with.\n\n"
                    + "  --once   stop after the checks; exit 0 only if everything worked (otherwise serve until Ctrl-C)");
            return ExitCode.OK;
        }
        noPositional(a, "demo");
        return new Demo(load(a), out, err).run(a.flag("once"));
    }

    static final String GITHUB_USAGE = """
            Usage: driftless github app-manifest --url URL [--dashboard-url URL] [--org ORG] [--name NAME]
                                                 [--port PORT] [--code CODE] [--print] [--config FILE]

            Creates the Driftless GitHub App from a manifest (permissions: statuses and checks write, contents,
            metadata and pull requests read; events: push, pull_request, plus installation and
            installation_repositories that GitHub always sends) and stores its id, private key, webhook secret and
            OAuth client in <data>/github-app/. 'driftless serve' then uses them for every GitHub setting not set
            explicitly. Run it on a machine with a browser signed in to GitHub:

              1. it serves a page on http://localhost:PORT/ (default 3000); open it and press the button,
              2. confirm the App on GitHub; GitHub sends the browser back to http://localhost:PORT/callback,
              3. the code is exchanged for the credentials, which are stored; the command exits 0.

              --url URL            where GitHub reaches the daemon's HTTP port (webhook: URL/webhooks/github)
              --dashboard-url URL  where people reach the dashboard: registers the 'Sign in with GitHub' callback
              --org ORG            create the App in an organisation instead of your own account
              --name NAME          the App's name on GitHub (default: driftless-<host of --url>)
              --port PORT          port of the loopback page (default 3000)
              --code CODE          only exchange a code (from the callback's address) and store the credentials
              --print              only print the manifest JSON
            GitHub Enterprise: set DRIFTLESS_GITHUB_WEB_URL and DRIFTLESS_GITHUB_API_URL.
            """;

    private ExitCode github(List<String> args) throws Exception {
        Arguments a = Arguments.parse(args, Set.of("config", "url", "dashboard-url", "org", "name", "port", "code"), Set.of("print"));
        if (a.help()) {
            out.print(GITHUB_USAGE);
            return ExitCode.OK;
        }
        if (a.positional().size() != 1 || !a.positional().get(0).equals("app-manifest")) {
            throw new UsageException("usage: driftless github app-manifest --url URL (see 'driftless github --help')");
        }
        DriftlessConfig config = load(a);
        if (a.option("code").isPresent()) {
            String code = a.option("code").get();
            if (!AppManifestFlow.validCode(code)) {
                throw new UsageException("--code is not a GitHub manifest code: '" + code + "'");
            }
            Files.createDirectories(config.data());
            printCreated(AppManifestFlow.exchange(config.githubApiUrl(), config.data(), code));
            return ExitCode.OK;
        }
        String urlText = a.option("url").orElseThrow(() -> new UsageException(
                "--url is required: where GitHub reaches this daemon's HTTP port, e.g. https://driftless.example.com"));
        URI url = absoluteUrl(urlText);
        if (url == null) {
            throw new UsageException("--url must be an absolute http(s) URL, got '" + a.option("url").get() + "'");
        }
        URI dashboard = null;
        if (a.option("dashboard-url").isPresent()) {
            dashboard = absoluteUrl(a.option("dashboard-url").get());
            if (dashboard == null) {
                throw new UsageException("--dashboard-url must be an absolute http(s) URL, got '" + a.option("dashboard-url").get() + "'");
            }
        }
        String org = a.option("org").orElse(null);
        if (org != null && !TokenStore.validOwner(org.toLowerCase(java.util.Locale.ROOT))) {
            throw new UsageException("not an organisation name: '" + org + "'");
        }
        String name = a.option("name").orElse("driftless-" + url.getHost());
        int port;
        try {
            port = Integer.parseInt(a.option("port").orElse("3000"));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new UsageException("--port must be a port number, got '" + a.option("port").orElse("") + "'");
        }
        try (AppManifestFlow flow = new AppManifestFlow(config.githubWebUrl(), config.githubApiUrl(), config.data(), org, name, url, dashboard)) {
            if (a.flag("print")) {
                out.println(flow.manifest().json().encodePrettily());
                return ExitCode.OK;
            }
            Files.createDirectories(config.data());
            URI page = flow.start(port);
            out.println("driftless: open " + page + " in a browser signed in to GitHub, then confirm the App there.");
            out.println("driftless: the manifest goes to " + flow.registrationUrl().toString().replaceFirst("\\?.*$", ""));
            printCreated(flow.await(java.time.Duration.ofMinutes(30)));
            return ExitCode.OK;
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private void printCreated(StoredGitHubApp app) {
        out.println("driftless: GitHub App " + app.slug().orElse("") + " (id " + app.id() + ") created; its key, webhook secret"
                + " and OAuth client are stored in " + app.keyFile().getParent());
        app.htmlUrl().ifPresent(u -> out.println("driftless: install it on repositories: " + u + "/installations/new"));
        out.println("driftless: then start (or restart) 'driftless serve': it uses the stored App.");
    }

    private static URI absoluteUrl(String text) {
        try {
            URI uri = URI.create(text);
            return uri.isAbsolute() && uri.getHost() != null && ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                    ? uri : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private ExitCode token(List<String> args) throws Exception {
        Arguments a = Arguments.parse(args, Set.of("config"));
        if (a.help()) {
            out.println("Usage: driftless token create <owner> [--config FILE]\n\nCreates a token for <owner>: the HTTP Basic "
                    + "password for 'git push' to the built-in git endpoint, and the bearer token of the API."
                    + "\nIt is printed once; the store keeps only its SHA-256.");
            return ExitCode.OK;
        }
        if (a.positional().size() != 2 || !a.positional().get(0).equals("create")) {
            throw new UsageException("usage: driftless token create <owner>");
        }
        String owner = a.positional().get(1);
        if (!TokenStore.validOwner(owner)) {
            throw new UsageException("not an owner name (letters, digits, '-', up to 39 characters): '" + owner + "'");
        }
        DriftlessConfig config = load(a);
        Files.createDirectories(config.data());
        try (Database db = Database.open(config.dbUrl(), config.dbUser(), config.dbPassword(), 2)) {
            String token = new TokenStore(db, Clock.systemUTC()).create(owner);
            out.println(token);
            err.println("Token for " + owner + " created. It is shown only now; store it (e.g. git credential helper).");
        }
        return ExitCode.OK;
    }

    private ExitCode rollback(List<String> args) throws Exception {
        Arguments a = Arguments.parse(args, Set.of("config", "url", "token"));
        if (a.help()) {
            out.println("Usage: driftless rollback <owner>/<function> <release> [--url URL] [--token TOKEN] [--config FILE]"
                    + "\n\nRedeploys release <release> of a function (no rebuild: its image digest) through the running "
                    + "daemon's API.\n--url defaults to http://127.0.0.1:<DRIFTLESS_HTTP_PORT>; the token comes from "
                    + "--token or DRIFTLESS_TOKEN.");
            return ExitCode.OK;
        }
        if (a.positional().size() != 2) {
            throw new UsageException("usage: driftless rollback <owner>/<function> <release>");
        }
        String[] name = a.positional().get(0).split("/", -1);
        if (name.length != 2 || name[0].isEmpty() || name[1].isEmpty()) {
            throw new UsageException("expected <owner>/<function>, got '" + a.positional().get(0) + "'");
        }
        int release;
        try {
            release = Integer.parseInt(a.positional().get(1));
        } catch (NumberFormatException e) {
            throw new UsageException("release must be a number, got '" + a.positional().get(1) + "'");
        }
        if (release < 1) {
            throw new UsageException("release numbers start at 1");
        }
        return api(a).rollback(name[0], name[1], release);
    }

    private ExitCode suspend(List<String> args, boolean suspend) throws Exception {
        String verb = suspend ? "suspend" : "resume";
        Arguments a = Arguments.parse(args, Set.of("config", "url", "token"));
        if (a.help()) {
            out.println("Usage: driftless " + verb + " <owner>/<repository> [--url URL] [--token TOKEN] [--config FILE]\n\n"
                    + (suspend ? "Stops reconciling a repository: pushes are recorded, nothing is built or put back; what runs keeps running."
                               : "Reconciles a suspended repository again (its next resync or push builds the branch head).")
                    + "\n--url defaults to http://127.0.0.1:<DRIFTLESS_HTTP_PORT>; the token comes from --token or DRIFTLESS_TOKEN.");
            return ExitCode.OK;
        }
        if (a.positional().size() != 1) {
            throw new UsageException("usage: driftless " + verb + " <owner>/<repository>");
        }
        String[] name = a.positional().get(0).split("/", -1);
        if (name.length != 2 || name[0].isEmpty() || name[1].isEmpty()) {
            throw new UsageException("expected <owner>/<repository>, got '" + a.positional().get(0) + "'");
        }
        return api(a).suspend(name[0], name[1], suspend);
    }

    /** The API client of the commands that act through the running daemon. */
    private ApiCommand api(Arguments a) throws UsageException {
        String token = a.option("token").or(() -> java.util.Optional.ofNullable(env.get("DRIFTLESS_TOKEN")))
                .filter(t -> !t.isBlank())
                .orElseThrow(() -> new UsageException("no token: pass --token or set DRIFTLESS_TOKEN"));
        URI url;
        if (a.option("url").isPresent()) {
            try {
                url = URI.create(a.option("url").get());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--url is not a URL: '" + a.option("url").get() + "'");
            }
        } else {
            url = URI.create("http://127.0.0.1:" + load(a).httpPort());
        }
        return new ApiCommand(url, token, out, err);
    }

    private DriftlessConfig load(Arguments a) {
        return new ConfigLoader(env).load(a.configFile());
    }

    private static void noPositional(Arguments a, String command) throws UsageException {
        if (!a.positional().isEmpty()) {
            throw new UsageException(command + " takes no arguments, got '" + a.positional().get(0) + "'");
        }
    }

    /** The cause chain in one line: the useful message is often the innermost one (e.g. connection refused). */
    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage() == null ? e : e.getMessage()));
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !text.toString().contains(c.getMessage())) {
                text.append(": ").append(c.getMessage());
            }
        }
        return text.toString();
    }
}
