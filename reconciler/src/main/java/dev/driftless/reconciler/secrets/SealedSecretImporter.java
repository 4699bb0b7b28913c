package dev.driftless.reconciler.secrets;

import dev.driftless.builder.BuildListener;
import dev.driftless.builder.BuildRequest;
import dev.driftless.builder.FunctionBuild;
import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.reconcile.CommitBuilder;
import dev.driftless.runtime.local.SecretValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sealed secrets in git: after the builder checks out a commit, every {@code .driftless/secrets/<name>.sealed}
 * is opened with the daemon's sealing key for the repository's owner and stored (encrypted at rest) as that
 * owner's secret {@code <name>}, origin {@code git:<repository>}; a git secret the commit no longer holds is
 * deleted. A file that does not open (sealed for another owner, name or daemon) is reported in the build log
 * and skipped, so a function that needs it fails to deploy with {@code SecretNotFound} naming it.
 */
public final class SealedSecretImporter {
    private static final Logger LOG = LoggerFactory.getLogger(SealedSecretImporter.class);
    public static final String FOLDER = ".driftless/secrets";
    public static final String SUFFIX = ".sealed";
    private static final long MAX_FILE_BYTES = SecretStore.MAX_VALUE_BYTES * 2L + 4096;

    private final SecretStore store;
    private final SealingKey key;
    private final AuditLog audit;

    public SealedSecretImporter(SecretStore store, SealingKey key, AuditLog audit) {
        this.store = store;
        this.key = key;
        this.audit = audit;
    }

    /** {@code inner} with sealed secrets imported after each checkout. */
    public CommitBuilder around(CommitBuilder inner) {
        return request -> inner.build(new BuildRequest(request.owner(), request.repository(), request.source(),
                request.commit(), request.environment(), listener(request)));
    }

    private BuildListener listener(BuildRequest request) {
        BuildListener downstream = request.listener() != null ? request.listener() : BuildListener.discard();
        return new BuildListener() {
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
                importFrom(repository, request.owner(), request.repository(), request.commit(),
                        line -> downstream.log(null, line));
            }
        };
    }

    /** Imports the sealed secrets of a checked-out commit; returns the names now stored from it. */
    Set<String> importFrom(Path checkout, String owner, String repository, String commit,
                           java.util.function.Consumer<String> log) {
        String origin = "git:" + repository;
        Set<String> present = new TreeSet<>();
        Path folder = checkout.resolve(FOLDER);
        try {
            if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*" + SUFFIX)) {
                    for (Path file : files) {
                        importFile(file, owner, repository, commit, origin, log).ifPresent(present::add);
                    }
                }
            }
            // Desired state: a sealed secret removed from the repository is removed from the store.
            for (SecretStore.SecretInfo info : store.list(owner)) {
                if (info.origin().equals(origin) && !present.contains(info.name())) {
                    if (store.delete(owner, info.name())) {
                        audit.append(SecretAudit.deleted(origin, owner, info.name()));
                        log.accept("sealed secret " + info.name() + ": no longer in " + FOLDER + ", deleted");
                    }
                }
            }
        } catch (IOException | SQLException e) {
            log.accept("sealed secrets: could not be imported: " + e.getMessage());
            LOG.warn("event=sealed_secrets.failed owner={} repository={} error=\"{}\"", owner, repository, e.toString());
        }
        return present;
    }

    private Optional<String> importFile(Path file, String owner, String repository, String commit, String origin,
                                        java.util.function.Consumer<String> log) throws IOException, SQLException {
        String fileName = file.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - SUFFIX.length());
        if (!SecretValues.NAME.matcher(name).matches()) {
            log.accept("sealed secret " + FOLDER + "/" + fileName + ": '" + name + "' is not a valid secret name; skipped");
            return Optional.empty();
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > MAX_FILE_BYTES) {
            log.accept("sealed secret " + name + ": " + FOLDER + "/" + fileName + " is not a regular file up to "
                    + MAX_FILE_BYTES + " bytes; skipped");
            return Optional.empty();
        }
        byte[] value;
        try {
            value = key.unseal(owner, name, Files.readString(file, StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException | java.nio.charset.CharacterCodingException e) {
            log.accept("sealed secret " + name + ": cannot be opened for " + owner + " (" + e.getMessage()
                    + "); seal it with 'driftless secret seal " + owner + " " + name + "'");
            LOG.warn("event=sealed_secret.unopenable owner={} repository={} name={} reason=\"{}\"", owner, repository,
                    name, e.getMessage());
            return Optional.empty();
        }
        Optional<byte[]> stored;
        try {
            stored = store.read(owner, name);
        } catch (GeneralSecurityException e) {
            stored = Optional.empty();
        }
        Optional<SecretStore.SecretInfo> info = store.info(owner, name);
        if (stored.isPresent() && Arrays.equals(stored.get(), value) && info.map(i -> i.origin().equals(origin)).orElse(false)) {
            return Optional.of(name); // unchanged: no write, no audit entry
        }
        if (info.isPresent() && !info.get().origin().startsWith("git:") ) {
            log.accept("sealed secret " + name + ": replaces the value set by " + info.get().origin());
        }
        SecretStore.PutResult result = store.put(owner, name, value, origin);
        audit.append(SecretAudit.sealedFromGit(owner, name, result, value.length, repository, commit));
        log.accept("sealed secret " + name + ": " + (result == SecretStore.PutResult.CREATED ? "stored" : "updated")
                + " (" + value.length + " bytes)");
        return Optional.of(name);
    }
}
