package dev.driftless.webhook;

import io.vertx.core.Handler;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in git smart-HTTP endpoint: {@code git push}/{@code git clone} of
 * {@code <mount>/<owner>/<repository>.git} without GitHub. Mount it as {@code router.route("/git/*")} with no
 * {@code BodyHandler} in front. JGit runs on the worker executor in stateless-RPC mode; request and response
 * bodies stream through bounded buffers. Clients authenticate with HTTP Basic, the token as password.
 * Accepted pushes reach the {@link GitPushSink} before {@code git push} gets its answer.
 */
public final class GitHttpHandler implements Handler<RoutingContext> {
    public static final long DEFAULT_MAX_PUSH_BYTES = 200L * 1024 * 1024;
    /** Fetch negotiations are small; anything bigger is not a git client. */
    static final long MAX_NEGOTIATION_BYTES = 16L * 1024 * 1024;
    /** How much of an oversized push is read and dropped after the answer, so that git can show it. */
    static final long DRAIN_AFTER_ANSWER_BYTES = 64L * 1024 * 1024;
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;
    static final String REALM = "driftless";

    private static final Logger LOG = LoggerFactory.getLogger(GitHttpHandler.class);

    private final String mountPath;
    private final BareRepositories repositories;
    private final PushAuthenticator authenticator;
    private final GitPushSink sink;
    private final WorkerExecutor worker;
    private final Set<String> protectedBranches;
    private final long maxPushBytes;
    private final long ioTimeoutMillis;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();

    private GitHttpHandler(Builder builder) {
        this.mountPath = builder.mountPath.endsWith("/") ? builder.mountPath : builder.mountPath + "/";
        this.repositories = new BareRepositories(builder.root);
        this.authenticator = builder.authenticator;
        this.sink = builder.sink;
        this.worker = builder.worker;
        this.protectedBranches = Set.copyOf(builder.protectedBranches);
        this.maxPushBytes = builder.maxPushBytes;
        this.ioTimeoutMillis = builder.ioTimeoutMillis;
        this.maxInFlight = builder.maxInFlight;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where the bare repository of {@code owner/repository} lives (it may not exist yet). */
    public Path repositoryFolder(String owner, String repository) {
        return repositories.folder(owner, repository);
    }

    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path = request.path();
        if (!path.startsWith(mountPath)) {
            refuse(request, 404, "not a git URL: expected " + mountPath + "<owner>/<repository>.git");
            return;
        }
        GitRequest git;
        try {
            git = GitRequest.parse(path.substring(mountPath.length()), request.method().name(), request.getParam("service"));
        } catch (GitRequest.Invalid e) {
            refuse(request, 400, e.getMessage());
            return;
        }
        Optional<Credentials> credentials = Credentials.parse(request.getHeader("Authorization"));
        if (credentials.isEmpty()) {
            request.response().putHeader("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
            refuse(request, 401, "authentication required: use the owner's token as the password");
            return;
        }
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            refuse(request, 503, "the git endpoint is busy with other pushes and fetches; try again in a moment");
            return;
        }
        try {
            start(ctx, git, credentials.get());
        } catch (RuntimeException e) {
            inFlight.decrementAndGet();
            throw e;
        }
    }

    /** Runs on the event loop: checks what can be checked without blocking, then moves to the worker. */
    private void start(RoutingContext ctx, GitRequest git, Credentials credentials) {
        HttpServerRequest request = ctx.request();
        RequestBodyInputStream body = null;
        if (git.kind() == GitRequest.Kind.RPC) {
            String expected = "application/x-" + git.service().wireName + "-request";
            if (!expected.equals(mediaType(request.getHeader("Content-Type")))) {
                inFlight.decrementAndGet();
                refuse(request, 415, "expected Content-Type " + expected);
                return;
            }
            long limit = limitFor(git.service());
            // An oversized push is read up to the limit and then fails inside JGit, whose "unpack error <reason>"
            // reaches the user through git's status report; for a refused POST git would print only "HTTP 413".
            if (git.service() == GitRequest.Service.UPLOAD_PACK && declaredLength(request) > limit) {
                inFlight.decrementAndGet();
                refuse(request, 413, tooLarge(git.service(), limit));
                return;
            }
            // Created here, on the event loop, so that no chunk of the body arrives before its handler.
            body = new RequestBodyInputStream(request, ctx.vertx().getOrCreateContext(), limit, tooLarge(git.service(), limit), ioTimeoutMillis);
        }
        RequestBodyInputStream input = body;
        worker.executeBlocking(() -> {
            serve(ctx, git, credentials, input);
            return null;
        }, false).onComplete(done -> {
            inFlight.decrementAndGet();
            if (done.failed()) {
                LOG.warn("git {} {}/{} failed: {}", git.service().wireName, git.owner(), git.repository(), done.cause().toString());
                HttpServerResponse response = request.response();
                if (!response.headWritten()) {
                    refuse(request, 500, "the git operation failed on the server");
                } else if (!response.ended()) {
                    // Half an answer is worse than none: cut the connection so the client reports an error.
                    request.connection().close();
                }
            }
        });
    }

    /** Runs on a worker thread. */
    private void serve(RoutingContext ctx, GitRequest git, Credentials credentials, RequestBodyInputStream body) throws Exception {
        HttpServerRequest request = ctx.request();
        try {
            if (!authenticator.mayAccess(git.owner(), credentials.user(), credentials.token())) {
                refuse(request, 403, "access denied: this token does not grant access to the repositories of '" + git.owner() + "'");
                return;
            }
            Optional<Repository> opened = git.service() == GitRequest.Service.RECEIVE_PACK && git.kind() == GitRequest.Kind.ADVERTISE
                    ? Optional.of(repositories.openOrCreate(git.owner(), git.repository()))
                    : repositories.openExisting(git.owner(), git.repository());
            if (opened.isEmpty()) {
                refuse(request, 404, "repository " + git.owner() + "/" + git.repository() + " does not exist; push to create it");
                return;
            }
            try (Repository repository = opened.get()) {
                if (git.kind() == GitRequest.Kind.ADVERTISE) {
                    advertise(request.response(), git, credentials, repository);
                } else {
                    rpc(request, git, credentials, repository, body);
                }
            }
        } finally {
            if (body != null) {
                if (!request.isEnded() && request.response().ended()) {
                    // Answered before the client finished sending (a push over the limit). Cutting the
                    // connection now would make git report "broken pipe" instead of our message.
                    body.drainRest(DRAIN_AFTER_ANSWER_BYTES);
                } else {
                    body.close();
                }
            }
        }
    }

    private void advertise(HttpServerResponse response, GitRequest git, Credentials credentials, Repository repository)
            throws IOException {
        response.setStatusCode(200)
                .putHeader("Content-Type", "application/x-" + git.service().wireName + "-advertisement")
                .putHeader("Cache-Control", "no-cache, max-age=0, must-revalidate");
        try (ResponseOutputStream out = new ResponseOutputStream(response, ioTimeoutMillis)) {
            PacketLineOut packets = new PacketLineOut(out);
            packets.writeString("# service=" + git.service().wireName + "\n");
            packets.end();
            RefAdvertiser.PacketLineOutRefAdvertiser advertiser = new RefAdvertiser.PacketLineOutRefAdvertiser(packets);
            if (git.service() == GitRequest.Service.RECEIVE_PACK) {
                receivePack(git, credentials, repository).sendAdvertisedRefs(advertiser);
            } else {
                uploadPack(repository).sendAdvertisedRefs(advertiser, null);
            }
        }
    }

    private void rpc(HttpServerRequest request, GitRequest git, Credentials credentials, Repository repository,
                     RequestBodyInputStream body) throws IOException {
        InputStream in = body;
        String encoding = request.getHeader("Content-Encoding");
        if (encoding != null && encoding.trim().equalsIgnoreCase("gzip")) {
            // Git compresses large fetch negotiations; the limit also applies to what they expand to.
            in = new BoundedInputStream(new GZIPInputStream(body, 8192), limitFor(git.service()));
        } else if (encoding != null && !encoding.isBlank() && !encoding.trim().equalsIgnoreCase("identity")) {
            refuse(request, 415, "unsupported Content-Encoding " + encoding);
            return;
        }
        HttpServerResponse response = request.response();
        response.setStatusCode(200)
                .putHeader("Content-Type", "application/x-" + git.service().wireName + "-result")
                .putHeader("Cache-Control", "no-cache, max-age=0, must-revalidate");
        try (ResponseOutputStream out = new ResponseOutputStream(response, ioTimeoutMillis)) {
            if (git.service() == GitRequest.Service.RECEIVE_PACK) {
                receivePack(git, credentials, repository).receive(in, out, null);
            } else {
                uploadPack(repository).upload(in, out, null);
            }
        }
    }

    private ReceivePack receivePack(GitRequest git, Credentials credentials, Repository repository) {
        ReceivePack pack = new ReceivePack(repository);
        pack.setBiDirectionalPipe(false);
        pack.setRefLogIdent(new PersonIdent(credentials.user().isEmpty() ? git.owner() : credentials.user(),
                git.owner() + "@driftless"));
        PushHooks hooks = new PushHooks(git.owner(), git.repository(),
                repository.getDirectory().getAbsolutePath(), protectedBranches, sink);
        pack.setPreReceiveHook(hooks);
        pack.setPostReceiveHook(hooks);
        return pack;
    }

    private static UploadPack uploadPack(Repository repository) {
        UploadPack pack = new UploadPack(repository);
        pack.setBiDirectionalPipe(false);
        return pack;
    }

    private long limitFor(GitRequest.Service service) {
        return service == GitRequest.Service.RECEIVE_PACK ? maxPushBytes : MAX_NEGOTIATION_BYTES;
    }

    private static String tooLarge(GitRequest.Service service, long limit) {
        return service == GitRequest.Service.RECEIVE_PACK
                ? "push refused: it is larger than the limit of " + limit + " bytes (ask the operator to raise it)"
                : "fetch request larger than " + limit + " bytes refused";
    }

    private static long declaredLength(HttpServerRequest request) {
        String length = request.getHeader("Content-Length");
        if (length == null) {
            return -1;
        }
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Answers with a plain-text message, which git prints as {@code remote: …}. If the body was not read,
     * closes the connection afterwards instead of reading it. Safe from any thread.
     */
    private static void refuse(HttpServerRequest request, int status, String message) {
        HttpServerResponse response = request.response();
        if (response.headWritten() || response.closed()) {
            return;
        }
        boolean unread = !request.isEnded();
        if (unread) {
            response.putHeader("Connection", "close");
        }
        response.setStatusCode(status)
                .putHeader("Content-Type", "text/plain; charset=utf-8")
                .end("driftless: " + message + "\n")
                .onComplete(done -> {
                    if (unread) {
                        request.connection().close();
                    }
                });
    }

    private static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    /** HTTP Basic credentials. Not printable: the token must never reach a log. */
    static final class Credentials {
        private final String user;
        private final String token;

        private Credentials(String user, String token) {
            this.user = user;
            this.token = token;
        }

        String user() {
            return user;
        }

        String token() {
            return token;
        }

        static Optional<Credentials> parse(String header) {
            if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
                return Optional.empty();
            }
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon < 0 || colon == decoded.length() - 1) {
                return Optional.empty();
            }
            return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return "Credentials[user=" + user + ", token=<hidden>]";
        }
    }

    /** Configuration of a {@link GitHttpHandler}; {@link #build()} names every missing setting at once. */
    public static final class Builder {
        private String mountPath = "/git";
        private Path root;
        private PushAuthenticator authenticator;
        private GitPushSink sink;
        private WorkerExecutor worker;
        private final Set<String> protectedBranches = new LinkedHashSet<>(List.of(BareRepositories.INITIAL_BRANCH));
        private long maxPushBytes = DEFAULT_MAX_PUSH_BYTES;
        private long ioTimeoutMillis = 120_000;
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;

        private Builder() { }

        /** Pushes and fetches served or waiting for a worker at once; more are answered 503. */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        /** The path the handler is mounted under, default {@code /git}. */
        public Builder mountPath(String mountPath) {
            this.mountPath = Objects.requireNonNull(mountPath, "mountPath");
            return this;
        }

        /** The folder that holds {@code <owner>/<repository>.git}. */
        public Builder repositoriesRoot(Path root) {
            this.root = root;
            return this;
        }

        public Builder authenticator(PushAuthenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        public Builder sink(GitPushSink sink) {
            this.sink = sink;
            return this;
        }

        /** A named, bounded pool, e.g. {@code vertx.createSharedWorkerExecutor("driftless-git", 4, 10, MINUTES)}. */
        public Builder worker(WorkerExecutor worker) {
            this.worker = worker;
            return this;
        }

        /** Branches that refuse non-fast-forward updates and deletion, in addition to {@code main}. */
        public Builder protectedBranches(Set<String> branches) {
            this.protectedBranches.addAll(branches);
            return this;
        }

        public Builder maxPushBytes(long maxPushBytes) {
            this.maxPushBytes = maxPushBytes;
            return this;
        }

        /** How long a stalled client may keep a worker waiting on one read or write. */
        public Builder ioTimeoutMillis(long ioTimeoutMillis) {
            this.ioTimeoutMillis = ioTimeoutMillis;
            return this;
        }

        public GitHttpHandler build() {
            List<String> problems = new ArrayList<>();
            if (root == null) {
                problems.add("repositoriesRoot is not set");
            }
            if (authenticator == null) {
                problems.add("authenticator is not set");
            }
            if (sink == null) {
                problems.add("sink is not set");
            }
            if (worker == null) {
                problems.add("worker executor is not set");
            }
            if (maxPushBytes <= 0) {
                problems.add("maxPushBytes must be positive, got " + maxPushBytes);
            }
            if (maxInFlight <= 0) {
                problems.add("maxInFlight must be positive, got " + maxInFlight);
            }
            if (ioTimeoutMillis <= 0) {
                problems.add("ioTimeoutMillis must be positive, got " + ioTimeoutMillis);
            }
            if (!mountPath.startsWith("/")) {
                problems.add("mountPath must start with '/', got " + mountPath);
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("git endpoint configuration: " + String.join("; ", problems));
            }
            return new GitHttpHandler(this);
        }
    }
}
