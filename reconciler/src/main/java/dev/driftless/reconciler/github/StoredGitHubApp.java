package dev.driftless.reconciler.github;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;

/**
 * The GitHub App that {@code driftless github app-manifest} created, kept in {@code <data>/github-app/}:
 * {@code app.json} (id, slug, name, page, OAuth client id), {@code private-key.pem}, {@code webhook-secret}
 * and {@code client-secret}, the three secrets readable by the owner only. The configuration uses it for
 * every GitHub setting that is not set by the environment or the YAML file.
 * Deliberately not a record: its {@code toString} must never show a secret.
 */
public final class StoredGitHubApp {
    public static final String FOLDER = "github-app";
    static final String INFO = "app.json";
    static final String KEY = "private-key.pem";
    static final String WEBHOOK_SECRET = "webhook-secret";
    static final String CLIENT_SECRET = "client-secret";

    private final long id;
    private final String slug;
    private final String htmlUrl;
    private final String clientId;
    private final Path keyFile;
    private final String webhookSecret;
    private final String clientSecret;

    StoredGitHubApp(long id, String slug, String htmlUrl, String clientId, Path keyFile, String webhookSecret, String clientSecret) {
        this.id = id;
        this.slug = slug;
        this.htmlUrl = htmlUrl;
        this.clientId = clientId;
        this.keyFile = keyFile;
        this.webhookSecret = webhookSecret;
        this.clientSecret = clientSecret;
    }

    public static Path folder(Path data) {
        return data.resolve(FOLDER);
    }

    /** The stored App of a data folder; empty when none was created there. A broken folder is an error naming the file. */
    public static Optional<StoredGitHubApp> read(Path data) {
        Path folder = folder(data);
        Path info = folder.resolve(INFO);
        if (!Files.isRegularFile(info)) {
            return Optional.empty();
        }
        try {
            JsonObject json = new JsonObject(Files.readString(info, StandardCharsets.UTF_8));
            long id = json.getLong("id", 0L);
            if (id <= 0) {
                throw new IllegalArgumentException(info + ": no App id");
            }
            Path key = folder.resolve(KEY);
            if (!Files.isReadable(key)) {
                throw new IllegalArgumentException(key + ": the App's private key is missing");
            }
            return Optional.of(new StoredGitHubApp(id, json.getString("slug"), json.getString("html_url"),
                    json.getString("client_id"), key, readSecret(folder.resolve(WEBHOOK_SECRET)),
                    readSecret(folder.resolve(CLIENT_SECRET))));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + folder + ": " + e.getMessage(), e);
        } catch (DecodeException | ClassCastException e) {
            throw new IllegalArgumentException(info + ": not the JSON 'driftless github app-manifest' writes");
        }
    }

    /** Writes the App's credentials, secrets with owner-only permissions, each file replaced atomically. */
    static StoredGitHubApp write(Path data, long id, String slug, String htmlUrl, String clientId, String pem,
                                 String webhookSecret, String clientSecret) {
        Objects.requireNonNull(pem, "pem");
        Path folder = folder(data);
        try {
            Files.createDirectories(folder);
            secretFile(folder.resolve(KEY), pem);
            if (webhookSecret != null) {
                secretFile(folder.resolve(WEBHOOK_SECRET), webhookSecret);
            }
            if (clientSecret != null) {
                secretFile(folder.resolve(CLIENT_SECRET), clientSecret);
            }
            JsonObject info = new JsonObject().put("id", id).put("slug", slug).put("html_url", htmlUrl).put("client_id", clientId);
            replace(folder.resolve(INFO), info.encodePrettily(), false); // written last: its presence means complete
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the GitHub App in " + folder + ": " + e.getMessage(), e);
        }
        return read(data).orElseThrow();
    }

    public long id() { return id; }
    public Optional<String> slug() { return Optional.ofNullable(slug); }
    public Optional<String> htmlUrl() { return Optional.ofNullable(htmlUrl); }
    public Optional<String> clientId() { return Optional.ofNullable(clientId); }
    public Path keyFile() { return keyFile; }
    public Optional<String> webhookSecret() { return Optional.ofNullable(webhookSecret); }
    public Optional<String> clientSecret() { return Optional.ofNullable(clientSecret); }

    @Override
    public String toString() {
        return "StoredGitHubApp[id=" + id + ", slug=" + slug + ", key=" + keyFile + ", secrets=<hidden>]";
    }

    private static String readSecret(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        String value = Files.readString(file, StandardCharsets.UTF_8).strip();
        return value.isEmpty() ? null : value;
    }

    private static void secretFile(Path file, String value) throws IOException {
        replace(file, value, true);
    }

    private static void replace(Path file, String content, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        if (secret && Files.getFileStore(file.getParent()).supportsFileAttributeView("posix")) {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
