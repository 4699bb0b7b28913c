package dev.driftless.runtime.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs a function under bubblewrap: a fresh tmpfs root that holds the image's own folders (read-only), the
 * host's {@code /usr} (interpreters, JRE) read-only with the usual {@code /bin}, {@code /lib} symlinks, a
 * private {@code /proc}, {@code /dev} and {@code /tmp}, every namespace unshared, no capabilities, and a non-root
 * user. The network namespace is a fresh one per instance, connected by {@link PastaNetwork} (one forwarded
 * port); without pasta the sandbox shares the host's network and listens on its loopback.
 * Nothing of the daemon's data folder is bound except the image root's own folders and the function's secrets.
 */
record Bubblewrap(Path executable, Optional<PastaNetwork> network) implements Sandbox {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /** Top-level folders the sandbox provides itself (from the host or as fresh mounts); an image's copies are ignored. */
    private static final Set<String> PROVIDED = Set.of(
            "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "proc", "dev", "tmp", "sys", "run", "etc", "var");

    /** Host files under /etc that interpreters and TLS need; bound when present. */
    private static final List<String> HOST_ETC = List.of(
            "alternatives", "ssl", "ca-certificates", "resolv.conf", "hosts", "nsswitch.conf", "ld.so.cache",
            "localtime", "mime.types");

    @Override
    public String kind() {
        return "bubblewrap";
    }

    Bubblewrap(Path executable) {
        this(executable, Optional.empty());
    }

    @Override
    public boolean wraps(ProcessHandle process) {
        return process.info().command().map(c -> c.equals(executable.toString())
                || network.map(n -> c.equals(n.executable().toString())).orElse(false)).orElse(false);
    }

    @Override
    public Optional<ProcessHandle> attach(Process process, int port) throws IOException, InterruptedException {
        return network.isPresent() ? network.get().attach(process, port, Optional.of(executable)) : Optional.empty();
    }

    @Override
    public ProcessBuilder command(Launch launch, int port) {
        // --share-net shares the namespace bubblewrap starts in: the instance's own one when pasta is there.
        List<String> args = new ArrayList<>(network.map(n -> n.prefix(port)).orElse(List.of()));
        args.addAll(List.of(executable.toString(),
                "--unshare-all", "--share-net", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
                "--uid", Integer.toString(launch.uid()), "--gid", Integer.toString(launch.gid()),
                "--ro-bind", "/usr", "/usr",
                "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin", "--symlink", "usr/lib", "/lib"));
        if (Files.isDirectory(Path.of("/usr/lib64"))) {
            args.addAll(List.of("--symlink", "usr/lib64", "/lib64"));
        }
        for (String name : HOST_ETC) {
            args.addAll(List.of("--ro-bind-try", "/etc/" + name, "/etc/" + name));
        }
        for (String java : hostJavaConfig()) {
            args.addAll(List.of("--ro-bind", "/etc/" + java, "/etc/" + java));
        }
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"));
        bindImage(launch.root(), "", PROVIDED, args);
        Path etc = launch.root().resolve("etc");
        if (Files.isDirectory(etc, NOFOLLOW)) {
            bindImage(etc, "/etc", Set.copyOf(HOST_ETC), args);
        }
        // /var entry by entry too, so that /var/openfaas/secrets can be mounted beside the image's folders.
        Path var = launch.root().resolve("var");
        if (Files.isDirectory(var, NOFOLLOW)) {
            bindImage(var, "/var", launch.secrets().isPresent() ? Set.of("openfaas") : Set.of(), args);
        }
        launch.secrets().ifPresent(folder ->
                args.addAll(List.of("--ro-bind", folder.toString(), Launch.SECRETS_MOUNT)));
        args.addAll(List.of("--chdir", launch.workingDirectory(), "--clearenv"));
        for (Map.Entry<String, String> e : Sandbox.environment(launch, port).entrySet()) {
            args.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        }
        args.add("--");
        args.addAll(launch.entrypoint());
        ProcessBuilder builder = new ProcessBuilder(args);
        builder.environment().clear();
        builder.directory(Path.of("/").toFile());
        return builder;
    }

    /**
     * Binds each entry of an image folder at the same place in the sandbox. Only real folders and files are
     * bound (bubblewrap would follow a symlink on the host side); symlinks are recreated inside the sandbox.
     */
    private static void bindImage(Path folder, String at, Set<String> skip, List<String> args) {
        List<Path> entries;
        try (Stream<Path> list = Files.list(folder)) {
            entries = list.sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list image root " + folder, e);
        }
        for (Path entry : entries) {
            String name = entry.getFileName().toString();
            if (skip.contains(name)) {
                continue;
            }
            String target = at + "/" + name;
            if (Files.isSymbolicLink(entry)) {
                try {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(entry).toString(), target));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot read symlink " + entry, e);
                }
            } else if (Files.isDirectory(entry, NOFOLLOW) || Files.isRegularFile(entry, NOFOLLOW)) {
                args.addAll(List.of("--ro-bind", entry.toString(), target));
            }
        }
    }

    /** {@code /usr/lib/jvm/*} links its conf and security files to {@code /etc/java-NN-openjdk}. */
    private static List<String> hostJavaConfig() {
        try (Stream<Path> list = Files.list(Path.of("/etc"))) {
            return list.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("java-") && Files.isDirectory(Path.of("/etc", n), NOFOLLOW))
                    .sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
