package dev.driftless.runtime.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives each sandboxed instance a network namespace of its own and forwards exactly one port into it with
 * {@code pasta} (Debian's {@code passt}): the gateway connects to {@code 127.0.0.1:<port>} on the host, pasta
 * splices that into the namespace's loopback where the function listens. The namespace has its own loopback,
 * so other instances, the daemon and databases on the host's loopback are out of reach; {@code -T none}
 * forwards nothing back out and {@code --no-map-gw} keeps the gateway address from standing for the host.
 * With {@link Egress#ALLOW} pasta also configures a routed interface ({@code --config-net}) whose outbound
 * connections pasta opens on the host's behalf; with {@link Egress#DENY} the namespace has loopback only.
 *
 * <p>Two ways in, because pasta behaves differently for root: as a normal user, pasta creates the namespaces
 * itself and runs bubblewrap inside ({@code pasta … -- bwrap …}, pasta's designed use). As root, pasta would
 * drop to {@code nobody} and leave an unmapped user namespace in which bubblewrap cannot create its own, so the
 * sandbox is started in a fresh network namespace ({@code unshare --net -- bwrap …}) and pasta, kept as root
 * ({@code --runas 0:0}), attaches to it afterwards; the instance is started once pasta listens on its port.
 */
final class PastaNetwork {
    private static final Logger LOG = LoggerFactory.getLogger(PastaNetwork.class);
    private static final Path UNSHARE = Path.of("/usr/bin/unshare");
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path OWN_NET = Path.of("/proc/self/ns/net");
    /** Generous: on a loaded machine starting pasta alone can take seconds; the health time-out follows anyway. */
    private static final long ATTACH_TIMEOUT_MS = 30_000;
    private static final int ATTEMPTS = 5;

    private final Path pasta;
    private final Egress egress;
    private final boolean root;

    PastaNetwork(Path pasta, Egress egress, boolean root) {
        this.pasta = pasta;
        this.egress = egress;
        this.root = root;
    }

    /** Whether the pieces this mode needs are installed ({@code unshare} and {@code setpriv} of util-linux for root). */
    static boolean usable(Path pasta, boolean root) {
        return Files.isExecutable(pasta) && (!root || (Files.isExecutable(UNSHARE) && Files.isExecutable(SETPRIV)));
    }

    /** Whether the daemon runs as root, which decides how pasta is started. */
    static boolean runningAsRoot() {
        try {
            return Files.getAttribute(Path.of("/proc/self"), "unix:uid").equals(0);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    Path executable() {
        return pasta;
    }

    /** What goes before {@code bwrap …} on the command line. */
    List<String> prefix(int port) {
        if (root) {
            return List.of(UNSHARE.toString(), "--net", "--");
        }
        List<String> args = new ArrayList<>(List.of(pasta.toString(), "--foreground"));
        args.addAll(options(port));
        args.add("--");
        return args;
    }

    /**
     * As root: waits until the sandbox process is in its own network namespace, then starts pasta on it and
     * waits until pasta forwards the port (it forks to the background then). Returns pasta's process, which
     * the instance stops with the sandbox. Nothing to do for a normal user: pasta is the sandbox's parent.
     */
    Optional<ProcessHandle> attach(Process sandbox, int port) throws IOException, InterruptedException {
        return attach(sandbox, port, Optional.empty());
    }

    /**
     * As {@link #attach(Process, int)}, waiting also until the process runs {@code sandboxBinary}: a process that
     * enters its cgroup first ({@code sh … unshare … bwrap}) is in its namespace before its last exec, and pasta
     * cannot open the namespace of a process in the middle of an exec (longer when the cgroup's cpu quota
     * throttles it).
     */
    Optional<ProcessHandle> attach(Process sandbox, int port, Optional<Path> sandboxBinary)
            throws IOException, InterruptedException {
        if (!root) {
            return Optional.empty();
        }
        Optional<Path> binary = sandboxBinary.map(PastaNetwork::realPath);
        Path net = Path.of("/proc", Long.toString(sandbox.pid()), "ns", "net");
        Path own = Files.readSymbolicLink(OWN_NET);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ATTACH_TIMEOUT_MS);
        while (true) {
            if (!sandbox.isAlive()) {
                return Optional.empty(); // exited at start: its output says why
            }
            try {
                if (!Files.readSymbolicLink(net).equals(own) && runs(sandbox, binary)) {
                    break;
                }
            } catch (IOException e) {
                // Between fork and exec; look again.
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the sandbox did not get its own network namespace within "
                        + ATTACH_TIMEOUT_MS + " ms");
            }
            Thread.sleep(5);
        }
        // In the foreground, as a child that dies with the daemon's spawning thread (PR_SET_PDEATHSIG via
        // setpriv, as bubblewrap's --die-with-parent): a daemon killed with SIGKILL leaves no pasta behind.
        List<String> args = new ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--",
                pasta.toString(), "--foreground", "--runas", "0:0"));
        args.addAll(options(port));
        args.addAll(List.of("--netns", net.toString(), "--netns-only"));
        // pasta's own words (only errors: --quiet) go to a file, so a failure can say why. A pasta that exits at
        // once is started again (up to four times): on a busy machine its start can fail transiently (more so when a
        // cgroup's cpu quota throttles the sandbox's start), and the instance would otherwise fail its rollout for it.
        Path output = Files.createTempFile("driftless-pasta-", ".log");
        try {
            for (int attempt = 1; ; attempt++) {
                Process helper = new ProcessBuilder(args).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
                // Ready once pasta listens on the host port: nothing else can (the port was free and the function
                // listens inside its own namespace), and pasta accepts there even before the function listens.
                while (!accepts(port)) {
                    if (!helper.isAlive()) {
                        break;
                    }
                    if (!sandbox.isAlive()) {
                        helper.destroy();
                        return Optional.empty();
                    }
                    if (System.nanoTime() > deadline) {
                        helper.destroyForcibly();
                        throw new IOException("pasta did not forward port " + port + " within " + ATTACH_TIMEOUT_MS
                                + " ms" + said(output));
                    }
                    Thread.sleep(5);
                }
                if (helper.isAlive()) {
                    return Optional.of(helper.toHandle());
                }
                if (!sandbox.isAlive()) {
                    return Optional.empty(); // it died meanwhile (out of memory, say): its output and exit say why
                }
                if (attempt == ATTEMPTS || System.nanoTime() > deadline) {
                    throw new IOException("pasta could not connect the instance's network (exit " + helper.exitValue()
                            + ", " + attempt + " attempts)" + said(output) + "; run "
                            + String.join(" ", args.subList(4, args.size())) + " by hand to see more");
                }
                LOG.warn("event=pasta_retry port={} exit={} attempt={}{}", port, helper.exitValue(), attempt, said(output));
                Thread.sleep(50L * attempt);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Whether {@code process} runs {@code binary} (its {@code /proc/<pid>/exe}); true when that cannot be told. */
    private static boolean runs(Process process, Optional<Path> binary) {
        return binary.isEmpty() || process.info().command().map(c -> c.equals(binary.get().toString())).orElse(true);
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            return path;
        }
    }

    /** The last of what pasta printed, for a message; empty when it printed nothing. */
    private static String said(Path output) {
        try {
            String text = Files.readString(output).strip();
            if (text.isEmpty()) {
                return "";
            }
            return ": " + (text.length() > 500 ? text.substring(text.length() - 500) : text).replace('\n', ' ');
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> options(int port) {
        List<String> args = new ArrayList<>(List.of("--quiet",
                // Host 127.0.0.1:<port> only (not every address) to the namespace's <port>.
                "--tcp-ports", "127.0.0.1/" + port,
                "--tcp-ns", "none", "--udp-ports", "none", "--udp-ns", "none", "--no-map-gw"));
        if (egress == Egress.ALLOW) {
            args.add("--config-net");
        }
        return args;
    }
}
