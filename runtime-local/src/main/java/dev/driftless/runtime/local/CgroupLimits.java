package dev.driftless.runtime.local;

import dev.driftless.runtime.FunctionDeployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps an instance's memory and cpu with a cgroup of its own, as a container engine does for a pod's
 * {@code limits}. Found once at start: cgroup v2 where the daemon's own cgroup offers the {@code memory} and (or)
 * {@code cpu} controllers and may be written (root, or a delegated systemd scope), else cgroup v1 where the
 * daemon's own {@code memory} and {@code cpu} cgroups may have children. Each instance gets a child
 * {@code driftless-<daemon pid>-<n>-<owner>-<function>}; its process enters it before anything of the function
 * runs ({@link Group#enter}), and the child is removed once the instance has exited and its processes are gone.
 *
 * <p>Where nothing writable is found, functions run unlimited and the first function that asks for limits makes
 * the daemon say so once, loudly; a deploy never fails for it.
 */
final class CgroupLimits {
    private static final Logger LOG = LoggerFactory.getLogger(CgroupLimits.class);
    static final String PREFIX = "driftless-";
    /** Where the daemon's own processes go on cgroup v2, so its cgroup may hand controllers to children. */
    static final String DAEMON_LEAF = PREFIX + "daemon";
    private static final long PERIOD_US = 100_000;
    /** The kernel refuses a cfs quota below 1 ms. */
    private static final long MIN_QUOTA_US = 1_000;
    private static final AtomicLong NEXT = new AtomicLong();
    /** Removes cgroups of exited instances (their last processes may still be on their way out). */
    private static final ScheduledExecutorService JANITOR = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-runtime-cgroups");
        t.setDaemon(true);
        return t;
    });
    private static final long REMOVE_TRIES = 500;
    private static final long REMOVE_EVERY_MS = 20;

    private final int version;
    private final Optional<Path> memory;
    private final Optional<Path> cpu;
    private final String missing;
    private final AtomicBoolean warned = new AtomicBoolean();

    /**
     * @param version 1 or 2, 0 when nothing is enforced
     * @param memory  the folder instance cgroups are made in for memory, empty when memory cannot be limited
     * @param cpu     the same for cpu (the same folder as memory on cgroup v2)
     * @param missing why (part of) the limits are not enforced; empty when all are
     */
    private CgroupLimits(int version, Optional<Path> memory, Optional<Path> cpu, String missing) {
        this.version = version;
        this.memory = memory;
        this.cpu = cpu;
        this.missing = missing;
    }

    /** Nothing enforced, for {@code why}. */
    static CgroupLimits none(String why) {
        return new CgroupLimits(0, Optional.empty(), Optional.empty(), why);
    }

    /** Looks at this process's cgroups ({@code /proc/self/cgroup}, {@code /proc/self/mountinfo}). */
    static CgroupLimits detect() {
        try {
            return detect(Files.readString(Path.of("/proc/self/cgroup")),
                    Files.readString(Path.of("/proc/self/mountinfo")), ProcessHandle.current().pid());
        } catch (IOException e) {
            return none("cannot read /proc/self/cgroup: " + e.getMessage());
        }
    }

    /**
     * Decides from the text of {@code /proc/<pid>/cgroup} and {@code /proc/<pid>/mountinfo}. cgroup v2 wins when it
     * offers memory or cpu (or both); otherwise v1 with whichever of memory and cpu may be written.
     */
    static CgroupLimits detect(String procCgroup, String mountinfo, long pid) {
        Map<String, String> paths = new LinkedHashMap<>(); // controller ("" for v2) -> path in its hierarchy
        for (String line : procCgroup.split("\n")) {
            String[] fields = line.split(":", 3);
            if (fields.length == 3) {
                for (String controller : fields[1].split(",")) {
                    paths.putIfAbsent(controller, fields[2].strip());
                }
            }
        }
        List<Mount> mounts = Mount.parse(mountinfo);
        String v2Problem = "no cgroup2 hierarchy is mounted";
        Optional<Path> unified = own(mounts, "cgroup2", "", paths.get(""));
        if (unified.isPresent() && paths.containsKey("")) {
            // A second runtime in this process finds the daemon already moved to its leaf: the parent is the one.
            Path dir = unified.get().getFileName() != null
                    && unified.get().getFileName().toString().equals(DAEMON_LEAF) ? unified.get().getParent() : unified.get();
            Set<String> offered = words(dir.resolve("cgroup.controllers"));
            List<String> usable = java.util.stream.Stream.of("memory", "cpu").filter(offered::contains).toList();
            if (!usable.isEmpty()) {
                String problem = prepareV2(dir, pid, usable);
                if (problem.isEmpty()) {
                    // Older systemd delegates only memory (and pids) to a user: that much is still enforced.
                    String missing = usable.size() == 2 ? "" : "the cgroup2 folder " + dir + " offers no "
                            + (usable.contains("memory") ? "cpu" : "memory") + " controller: it is not limited";
                    return new CgroupLimits(2, Optional.of(dir).filter(d -> usable.contains("memory")),
                            Optional.of(dir).filter(d -> usable.contains("cpu")), missing);
                }
                v2Problem = problem;
            } else {
                v2Problem = "the cgroup2 folder " + dir + " offers " + (offered.isEmpty() ? "no controllers" : offered)
                        + ", neither memory nor cpu (on a systemd machine: a delegated scope, e.g. systemd-run --user "
                        + "--scope -p Delegate=yes)";
            }
        }
        Optional<Path> memory = own(mounts, "cgroup", "memory", paths.get("memory")).filter(CgroupLimits::mayCreate);
        Optional<Path> cpu = own(mounts, "cgroup", "cpu", paths.get("cpu")).filter(CgroupLimits::mayCreate);
        if (memory.isEmpty() && cpu.isEmpty()) {
            return none(v2Problem + "; no writable cgroup v1 memory or cpu hierarchy either");
        }
        String missing = memory.isEmpty() ? "no writable cgroup v1 memory hierarchy: memory is not limited"
                : cpu.isEmpty() ? "no writable cgroup v1 cpu hierarchy: cpu is not limited" : "";
        memory.ifPresent(CgroupLimits::removeLeftovers);
        cpu.ifPresent(CgroupLimits::removeLeftovers);
        return new CgroupLimits(1, memory, cpu, missing);
    }

    /**
     * Enables {@code controllers} for the children of {@code dir}. cgroup v2 lets only a cgroup without processes of its own hand controllers to children (the root excepted):
     * where enabling them is refused, the daemon's processes move into the leaf {@value #DAEMON_LEAF} first, as
     * systemd asks of a delegated scope, and it is tried again. Returns why it cannot be done, or empty.
     */
    private static String prepareV2(Path dir, long pid, List<String> controllers) {
        Path control = dir.resolve("cgroup.subtree_control");
        Set<String> enabled = words(control);
        if (!enabled.containsAll(controllers)) {
            String enable = String.join(" ", controllers.stream().map(c -> "+" + c).toList());
            try {
                write(control, enable);
            } catch (IOException busy) {
                try {
                    moveIntoLeaf(dir, pid);
                    write(control, enable);
                } catch (IOException e) {
                    return "cannot enable the " + String.join(" and ", controllers) + " controllers in " + control
                            + ": " + e.getMessage();
                }
            }
        }
        removeLeftovers(dir);
        return mayCreate(dir) ? "" : "cannot create cgroups in " + dir;
    }

    private static void moveIntoLeaf(Path dir, long pid) throws IOException {
        Path leaf = dir.resolve(DAEMON_LEAF);
        if (!Files.isDirectory(leaf)) {
            Files.createDirectory(leaf);
        }
        List<String> processes = Files.readAllLines(dir.resolve("cgroup.procs")).stream()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String process : processes.isEmpty() ? List.of(Long.toString(pid)) : processes) {
            try {
                write(leaf.resolve("cgroup.procs"), process);
            } catch (IOException e) {
                // A process that ended meanwhile; one still there makes enabling the controllers fail.
            }
        }
    }

    /** Whether a child cgroup can be made in {@code dir} (tried: permissions alone do not tell on cgroupfs). */
    private static boolean mayCreate(Path dir) {
        Path probe = dir.resolve(PREFIX + "probe-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet());
        try {
            Files.createDirectory(probe);
            Files.delete(probe);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Empty instance cgroups left by a daemon that was killed (their processes died with it). */
    private static void removeLeftovers(Path dir) {
        try (Stream<Path> children = Files.list(dir)) {
            for (Path child : children.toList()) {
                String name = child.getFileName().toString();
                if (!name.startsWith(PREFIX) || name.equals(DAEMON_LEAF) || !Files.isDirectory(child)) {
                    continue;
                }
                String[] parts = name.substring(PREFIX.length()).split("-", 2);
                boolean ownerAlive = parts[0].chars().allMatch(Character::isDigit) && !parts[0].isEmpty()
                        && ProcessHandle.of(Long.parseLong(parts[0])).isPresent();
                if (!ownerAlive) {
                    try {
                        Files.delete(child);
                    } catch (IOException e) {
                        // Still has processes: not ours to touch.
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // Nothing to clean up there.
        }
    }

    /** The folder of this process's cgroup in the hierarchy mounted with {@code controller}. */
    private static Optional<Path> own(List<Mount> mounts, String type, String controller, String path) {
        if (path == null) {
            return Optional.empty();
        }
        for (Mount mount : mounts) {
            if (!mount.type().equals(type) || (!controller.isEmpty() && !mount.options().contains(controller))) {
                continue;
            }
            String root = mount.root();
            String relative;
            if (root.equals("/")) {
                relative = path;
            } else if (path.equals(root) || path.startsWith(root + "/")) {
                relative = path.substring(root.length());
            } else {
                continue;
            }
            Path dir = mount.point().resolve(relative.replaceFirst("^/+", "")).normalize();
            if (dir.startsWith(mount.point()) && Files.isDirectory(dir)) {
                return Optional.of(dir);
            }
        }
        return Optional.empty();
    }

    /** One cgroup filesystem from {@code /proc/self/mountinfo}. */
    private record Mount(String root, Path point, String type, Set<String> options) {
        static List<Mount> parse(String mountinfo) {
            List<Mount> mounts = new ArrayList<>();
            for (String line : mountinfo.split("\n")) {
                int dash = line.indexOf(" - ");
                if (dash < 0) {
                    continue;
                }
                String[] before = line.substring(0, dash).split(" ");
                String[] after = line.substring(dash + 3).split(" ");
                if (before.length < 6 || after.length < 3 || !after[0].startsWith("cgroup")) {
                    continue;
                }
                Set<String> options = new LinkedHashSet<>(List.of(after[2].split(",")));
                if (List.of(before[5].split(",")).contains("ro")) {
                    continue; // mounted read-only: nothing to create there
                }
                mounts.add(new Mount(unescape(before[3]), Path.of(unescape(before[4])), after[0], options));
            }
            return mounts;
        }

        /** mountinfo writes space, tab, newline and backslash as {@code \ooo}. */
        private static String unescape(String field) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < field.length(); i++) {
                char c = field.charAt(i);
                if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                    out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                    i += 3;
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }
    }

    /** Whether memory limits are enforced. */
    boolean limitsMemory() {
        return memory.isPresent();
    }

    /** Whether cpu limits are enforced. */
    boolean limitsCpu() {
        return cpu.isPresent();
    }

    /** For the start log and the runtime's description: how limits are enforced, or why not. */
    String describe() {
        if (version == 0) {
            return "not enforced: " + missing;
        }
        List<String> what = new ArrayList<>();
        memory.ifPresent(m -> what.add("memory"));
        cpu.ifPresent(c -> what.add("cpu"));
        return "cgroup v" + version + " (" + String.join(", ", what) + ")" + (missing.isEmpty() ? "" : "; " + missing);
    }

    /** Why some of {@code resources} are not enforced, or empty when all are (or none are asked for). */
    Optional<String> notEnforced(FunctionDeployment.Resources resources) {
        boolean wantsMemory = resources.memoryLimitBytes().isPresent() || resources.memoryRequestBytes().isPresent();
        boolean wantsCpu = resources.cpuLimitMillis().isPresent() || resources.cpuRequestMillis().isPresent();
        if ((wantsMemory && memory.isEmpty()) || (wantsCpu && cpu.isEmpty())) {
            return Optional.of(missing);
        }
        return Optional.empty();
    }

    /**
     * A cgroup for one instance of {@code name} with {@code resources} written, or empty when the function asks
     * for nothing or nothing can be enforced (said once, loudly). Never throws: a cgroup that cannot be made is
     * logged and the instance runs without it.
     */
    Optional<Group> create(String name, FunctionDeployment.Resources resources) {
        notEnforced(resources).ifPresent(why -> {
            if (warned.compareAndSet(false, true)) {
                LOG.warn("event=limits_not_enforced function={} reason=\"{}\" detail=\"functions' limits/requests "
                        + "are NOT enforced by the local runtime: a function can use all of this machine's memory "
                        + "and cpu; run the daemon as root or in a delegated cgroup (systemd-run --user --scope -p "
                        + "Delegate=yes)\"", name, why);
            }
        });
        Optional<Long> memoryMax = memory.isPresent() ? resources.memoryLimitBytes() : Optional.empty();
        Optional<Long> memoryLow = memory.isPresent() ? resources.memoryRequestBytes() : Optional.empty();
        Optional<Long> cpuMax = cpu.isPresent() ? resources.cpuLimitMillis() : Optional.empty();
        Optional<Long> cpuRequest = cpu.isPresent() ? resources.cpuRequestMillis() : Optional.empty();
        if (memoryMax.isEmpty() && memoryLow.isEmpty() && cpuMax.isEmpty() && cpuRequest.isEmpty()) {
            return Optional.empty();
        }
        String child = PREFIX + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet() + "-"
                + name.replace('/', '-');
        Optional<Path> memoryDir = memoryMax.isPresent() || memoryLow.isPresent()
                ? memory.map(m -> m.resolve(child)) : Optional.empty();
        Optional<Path> cpuDir = cpuMax.isPresent() || cpuRequest.isPresent()
                ? cpu.map(c -> c.resolve(child)) : Optional.empty();
        Group group = new Group(version, memoryDir, cpuDir, memoryMax);
        try {
            group.make();
            if (memoryDir.isPresent()) {
                Path m = memoryDir.get();
                if (version == 2) {
                    memoryMax.ifPresent(v -> writeQuietly(m.resolve("memory.swap.max"), "0")); // as a pod: no swap
                    memoryMax.ifPresent(v -> writeOrThrow(m.resolve("memory.max"), Long.toString(v)));
                    memoryLow.ifPresent(v -> writeQuietly(m.resolve("memory.low"), Long.toString(v)));
                    // One process over the limit ends the whole instance, not a random part of it.
                    memoryMax.ifPresent(v -> writeQuietly(m.resolve("memory.oom.group"), "1"));
                } else {
                    memoryMax.ifPresent(v -> writeOrThrow(m.resolve("memory.limit_in_bytes"), Long.toString(v)));
                    // Swap counts too where the kernel accounts it (memsw must not be below the limit: after it).
                    memoryMax.ifPresent(v -> writeQuietly(m.resolve("memory.memsw.limit_in_bytes"), Long.toString(v)));
                    memoryLow.ifPresent(v -> writeQuietly(m.resolve("memory.soft_limit_in_bytes"), Long.toString(v)));
                }
            }
            if (cpuDir.isPresent()) {
                Path c = cpuDir.get();
                Optional<Long> quota = cpuMax.map(CgroupLimits::quotaMicros);
                if (version == 2) {
                    quota.ifPresent(q -> writeOrThrow(c.resolve("cpu.max"), q + " " + PERIOD_US));
                    cpuRequest.ifPresent(r -> writeQuietly(c.resolve("cpu.weight"), Long.toString(weight(r))));
                } else {
                    quota.ifPresent(q -> writeOrThrow(c.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US)));
                    quota.ifPresent(q -> writeOrThrow(c.resolve("cpu.cfs_quota_us"), Long.toString(q)));
                    cpuRequest.ifPresent(r -> writeQuietly(c.resolve("cpu.shares"), Long.toString(shares(r))));
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            LOG.warn("event=limits_not_enforced function={} reason=\"cannot set up cgroup {}: {}\"", name, child,
                    e.getMessage());
            group.removeNow();
            return Optional.empty();
        }
        return Optional.of(group);
    }

    /** Millicores as a cfs quota per {@value #PERIOD_US} µs period: 100m is 10000. */
    static long quotaMicros(long millis) {
        return Math.max(MIN_QUOTA_US, millis * PERIOD_US / 1000);
    }

    /** cpu.shares as the kubelet computes them from a request (1 cpu = 1024, at least 2). */
    static long shares(long millis) {
        return Math.max(2, millis * 1024 / 1000);
    }

    /** cpu.weight (1..10000) from the shares, as the kubelet maps them on cgroup v2. */
    static long weight(long millis) {
        long shares = Math.min(262_144, shares(millis));
        return 1 + ((shares - 2) * 9999) / 262_142;
    }

    /** Bytes as Kubernetes writes a quantity: 64Mi, 1Gi, else plain bytes. */
    static String quantity(long bytes) {
        String[] units = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (10 * (units.length - i));
            if (bytes >= unit && bytes % unit == 0) {
                return bytes / unit + units[i];
            }
        }
        return Long.toString(bytes);
    }

    private static void writeOrThrow(Path file, String value) {
        try {
            write(file, value);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** For soft values and extras a kernel may lack: the limit itself is what matters. */
    private static void writeQuietly(Path file, String value) {
        if (Files.exists(file)) {
            try {
                write(file, value);
            } catch (IOException e) {
                LOG.debug("event=cgroup_write_skipped file={} error=\"{}\"", file, e.getMessage());
            }
        }
    }

    private static void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE);
    }

    private static Set<String> words(Path file) {
        try {
            return Set.of(Files.readString(file).strip().split("\\s+"));
        } catch (IOException | IllegalArgumentException e) {
            return Set.of();
        }
    }

    /** The cgroup (one folder per hierarchy: one on v2, up to two on v1) of one instance. */
    static final class Group {
        private final int version;
        private final Optional<Path> memory;
        private final Optional<Path> cpu;
        private final Optional<Long> memoryLimit;

        private Group(int version, Optional<Path> memory, Optional<Path> cpu, Optional<Long> memoryLimit) {
            this.version = version;
            this.memory = memory;
            this.cpu = cpu;
            this.memoryLimit = memoryLimit;
        }

        /** Its folders, each once (memory and cpu are the same folder on cgroup v2). */
        List<Path> folders() {
            Set<Path> all = new LinkedHashSet<>();
            memory.ifPresent(all::add);
            cpu.ifPresent(all::add);
            return List.copyOf(all);
        }

        Optional<Path> memoryFolder() {
            return memory;
        }

        Optional<Path> cpuFolder() {
            return cpu;
        }

        private void make() throws IOException {
            for (Path folder : folders()) {
                Files.createDirectory(folder);
            }
        }

        /**
         * What goes before the command: a shell that writes its own pid into each {@code cgroup.procs} and then
         * becomes the command ({@code exec}), so bubblewrap, pasta and the function start inside the cgroup and
         * nothing runs outside it even for a moment. It refuses to run the command when it cannot get in.
         */
        List<String> enter() {
            List<String> args = new ArrayList<>(List.of("/bin/sh", "-c",
                    "n=$1; shift; while [ \"$n\" -gt 0 ]; do echo $$ > \"$1\" || { echo \"driftless: cannot enter "
                            + "cgroup $1\" >&2; exit 125; }; shift; n=$((n - 1)); done; exec \"$@\"",
                    "driftless-enter", Integer.toString(folders().size())));
            folders().forEach(f -> args.add(f.resolve("cgroup.procs").toString()));
            return args;
        }

        /**
         * {@code killed: out of memory (limit 64Mi)} when the kernel's OOM killer ended a process of it; read after
         * the instance exited, before the cgroup is removed.
         */
        Optional<String> outOfMemory(int exitCode) {
            if (memory.isEmpty() || memoryLimit.isEmpty()) {
                return Optional.empty();
            }
            Path m = memory.get();
            OptionalCount kills = count(version == 2 ? m.resolve("memory.events") : m.resolve("memory.oom_control"),
                    "oom_kill");
            boolean killed = kills.known()
                    ? kills.value() > 0
                    // Old v1 kernels have no oom_kill count: the limit was hit, and the process died of SIGKILL.
                    : count(m.resolve("memory.failcnt"), "").value() > 0 && (exitCode == 137 || exitCode == 9);
            return killed ? Optional.of("killed: out of memory (limit " + quantity(memoryLimit.get()) + ")")
                    : Optional.empty();
        }

        private record OptionalCount(boolean known, long value) { }

        /** The number after {@code key} in a flat-keyed file, or the file's only number when key is empty. */
        private static OptionalCount count(Path file, String key) {
            try {
                for (String line : Files.readAllLines(file)) {
                    String[] fields = line.strip().split("\\s+");
                    if (key.isEmpty() && fields.length == 1) {
                        return new OptionalCount(true, Long.parseLong(fields[0]));
                    }
                    if (fields.length == 2 && fields[0].equals(key)) {
                        return new OptionalCount(true, Long.parseLong(fields[1]));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // Unknown.
            }
            return new OptionalCount(false, 0);
        }

        /** Removes the folders once their processes are gone (tries for about 10 s), off the caller's thread. */
        void removeWhenEmpty() {
            JANITOR.execute(() -> removeLater(1));
        }

        private void removeLater(long attempt) {
            if (removeNow()) {
                return;
            }
            if (attempt >= REMOVE_TRIES) {
                LOG.warn("event=cgroup_not_removed folders={} detail=\"processes still in it after {} ms\"", folders(),
                        REMOVE_TRIES * REMOVE_EVERY_MS);
                return;
            }
            JANITOR.schedule(() -> removeLater(attempt + 1), REMOVE_EVERY_MS, TimeUnit.MILLISECONDS);
        }

        /** rmdir of each folder that is still there; true once none is left. */
        boolean removeNow() {
            boolean gone = true;
            for (Path folder : folders()) {
                try {
                    Files.deleteIfExists(folder);
                } catch (IOException e) {
                    gone = false; // EBUSY while a process is in it
                }
            }
            return gone;
        }

        @Override
        public String toString() {
            return folders().toString();
        }
    }
}
