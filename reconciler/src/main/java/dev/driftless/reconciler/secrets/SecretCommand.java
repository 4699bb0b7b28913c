package dev.driftless.reconciler.secrets;

import dev.driftless.reconciler.audit.AuditLog;
import dev.driftless.reconciler.cli.Arguments;
import dev.driftless.reconciler.cli.ExitCode;
import dev.driftless.reconciler.cli.UsageException;
import dev.driftless.reconciler.config.DriftlessConfig;
import dev.driftless.reconciler.store.Database;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code driftless secret create|list|delete|seal|rotate-key}. Values come from standard input or
 * {@code --from-file}, never from the command line (it ends up in shell history and {@code ps}), and are
 * never printed back. Like {@code token create}, these work on the store directly (also while the daemon runs).
 */
public final class SecretCommand {
    static final String HELP = """
            Usage: driftless secret <subcommand> [options] [--config FILE]

              create <owner> <name> [--from-file FILE]   store a secret (value from stdin, or FILE); replaces an existing one
              list <owner>                                names, sizes, origins and dates (never values)
              delete <owner> <name>                       delete a secret (functions using it keep running until redeployed)
              seal <owner> <name> [--from-file FILE] [--cert PEM]
                                                          print the value sealed for this daemon and <owner>, for
                                                          .driftless/secrets/<name>.sealed in the owner's repository
              rotate-key                                  add a new encryption key and re-encrypt every secret with it
                                                          (older keys stay in the key file and still decrypt)

            From stdin one trailing newline is dropped (so 'echo value |' works); --from-file keeps the bytes exactly.
            Secrets are mounted into functions that name them in stack.yml at /var/openfaas/secrets/<name>.
            seal needs only the public key: --cert, or the daemon's <data>/keys/sealing-key.pub.pem
            (also served at GET /api/v1/sealing-key).
            """;

    private final Function<Arguments, DriftlessConfig> configs;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final Clock clock;

    public SecretCommand(Function<Arguments, DriftlessConfig> configs, InputStream in, PrintStream out, PrintStream err,
                         Clock clock) {
        this.configs = configs;
        this.in = in;
        this.out = out;
        this.err = err;
        this.clock = clock;
    }

    public ExitCode run(List<String> args) throws Exception {
        Arguments a = Arguments.parse(args, Set.of("config", "from-file", "cert"));
        if (a.help() || a.positional().isEmpty()) {
            (a.help() ? out : err).print(HELP);
            return a.help() ? ExitCode.OK : ExitCode.USAGE;
        }
        List<String> p = a.positional();
        String sub = p.get(0);
        return switch (sub) {
            case "create" -> create(a, names(p, 3, "create <owner> <name>"));
            case "list" -> list(a, names(p, 2, "list <owner>"));
            case "delete" -> delete(a, names(p, 3, "delete <owner> <name>"));
            case "seal" -> seal(a, names(p, 3, "seal <owner> <name>"));
            case "rotate-key" -> rotate(a, names(p, 1, "rotate-key"));
            default -> throw new UsageException("unknown secret subcommand '" + sub + "' (create, list, delete, seal, rotate-key)");
        };
    }

    private static List<String> names(List<String> p, int count, String usage) throws UsageException {
        if (p.size() > count && (usage.startsWith("create") || usage.startsWith("seal"))) {
            throw new UsageException("secret values are not taken from the command line: pipe them to stdin or use "
                    + "--from-file (usage: driftless secret " + usage + ")");
        }
        if (p.size() != count) {
            throw new UsageException("usage: driftless secret " + usage);
        }
        try {
            if (count >= 2) {
                SecretStore.validate(p.get(1), count == 3 ? p.get(2) : "x");
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return p;
    }

    private ExitCode create(Arguments a, List<String> p) throws Exception {
        byte[] value = value(a);
        DriftlessConfig config = configs.apply(a);
        try (Database db = open(config)) {
            SecretStore store = new SecretStore(db, SecretKeyRing.loadOrCreate(config.secretKeysPath()), clock);
            SecretStore.PutResult result = store.put(p.get(1), p.get(2), value, "cli");
            new AuditLog(db, clock).append(SecretAudit.changed("cli", p.get(1), p.get(2), result, value.length));
            err.println("secret " + p.get(2) + " of " + p.get(1) + " " + (result == SecretStore.PutResult.CREATED
                    ? "created" : "replaced") + " (" + value.length + " bytes, encrypted at rest)");
        }
        return ExitCode.OK;
    }

    private ExitCode list(Arguments a, List<String> p) throws Exception {
        DriftlessConfig config = configs.apply(a);
        try (Database db = open(config)) {
            List<SecretStore.SecretInfo> secrets = new SecretStore(db,
                    SecretKeyRing.loadOrCreate(config.secretKeysPath()), clock).list(p.get(1));
            if (secrets.isEmpty()) {
                err.println("no secrets for " + p.get(1));
                return ExitCode.OK;
            }
            out.printf("%-40s %8s  %-20s %s%n", "NAME", "BYTES", "ORIGIN", "UPDATED");
            for (SecretStore.SecretInfo s : secrets) {
                out.printf("%-40s %8d  %-20s %s%n", s.name(), s.sizeBytes(), s.origin(), s.updatedAt());
            }
        }
        return ExitCode.OK;
    }

    private ExitCode delete(Arguments a, List<String> p) throws Exception {
        DriftlessConfig config = configs.apply(a);
        try (Database db = open(config)) {
            boolean deleted = new SecretStore(db, SecretKeyRing.loadOrCreate(config.secretKeysPath()), clock)
                    .delete(p.get(1), p.get(2));
            if (!deleted) {
                err.println("secret delete: " + p.get(1) + " has no secret " + p.get(2));
                return ExitCode.RUNTIME_FAILURE;
            }
            new AuditLog(db, clock).append(SecretAudit.deleted("cli", p.get(1), p.get(2)));
            err.println("secret " + p.get(2) + " of " + p.get(1) + " deleted");
        }
        return ExitCode.OK;
    }

    private ExitCode seal(Arguments a, List<String> p) throws Exception {
        byte[] value = value(a);
        Path cert = a.option("cert").map(Path::of)
                .orElseGet(() -> SealingKey.publicFileOf(configs.apply(a).sealingKeyPath()));
        if (!Files.isRegularFile(cert)) {
            err.println("secret seal: no public key at " + cert + ": start the daemon once (it creates the key pair), "
                    + "or fetch GET /api/v1/sealing-key and pass --cert FILE");
            return ExitCode.RUNTIME_FAILURE;
        }
        SealingKey key = SealingKey.fromPublicPem(Files.readString(cert));
        out.println(key.seal(p.get(1), p.get(2), value));
        err.println("sealed for " + p.get(1) + "/" + p.get(2) + " with key " + key.fingerprint()
                + "; commit it as .driftless/secrets/" + p.get(2) + ".sealed");
        return ExitCode.OK;
    }

    private ExitCode rotate(Arguments a, List<String> p) throws Exception {
        DriftlessConfig config = configs.apply(a);
        SecretKeyRing ring = SecretKeyRing.loadOrCreate(config.secretKeysPath()).rotate();
        try (Database db = open(config)) {
            int count = new SecretStore(db, ring, clock).reencrypt();
            // The key ring is the daemon's, not an owner's: the entry goes under the reserved owner "_daemon".
            new AuditLog(db, clock).append(SecretAudit.rotated("cli", ring.activeKeyId(), count));
            out.println("new key " + ring.activeKeyId() + " in " + ring.file() + "; re-encrypted " + count
                    + " secret(s); older keys " + ring.keyIds().subList(0, ring.keyIds().size() - 1)
                    + " stay in the file and still decrypt");
        }
        return ExitCode.OK;
    }

    private byte[] value(Arguments a) throws IOException, UsageException {
        Optional<String> file = a.option("from-file");
        byte[] value;
        if (file.isPresent()) {
            Path path = Path.of(file.get());
            if (!Files.isRegularFile(path)) {
                throw new UsageException("--from-file: no such file: " + path);
            }
            if (Files.size(path) > SecretStore.MAX_VALUE_BYTES) {
                throw new UsageException("--from-file: " + path + " is larger than " + SecretStore.MAX_VALUE_BYTES + " bytes");
            }
            value = Files.readAllBytes(path);
        } else {
            value = in.readNBytes(SecretStore.MAX_VALUE_BYTES + 2);
            if (value.length > 0 && value[value.length - 1] == '\n') {
                value = Arrays.copyOf(value, value.length - 1);
            }
            if (value.length > SecretStore.MAX_VALUE_BYTES) {
                throw new UsageException("the value on stdin is larger than " + SecretStore.MAX_VALUE_BYTES + " bytes");
            }
        }
        if (value.length == 0) {
            throw new UsageException("empty value: pipe it to stdin (printf %s \"$VALUE\" | driftless secret create …) "
                    + "or pass --from-file FILE");
        }
        return value;
    }

    private static Database open(DriftlessConfig config) throws IOException {
        Files.createDirectories(config.data());
        return Database.open(config.dbUrl(), config.dbUser(), config.dbPassword(), 2);
    }
}
