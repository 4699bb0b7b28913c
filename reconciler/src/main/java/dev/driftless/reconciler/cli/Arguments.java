package dev.driftless.reconciler.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A subcommand's arguments: positional values and {@code --name value} options from a known set. */
public final class Arguments {
    private final List<String> positional;
    private final Map<String, String> options;
    private final Set<String> flags;
    private final boolean help;

    private Arguments(List<String> positional, Map<String, String> options, Set<String> flags, boolean help) {
        this.positional = positional;
        this.options = options;
        this.flags = flags;
        this.help = help;
    }

    public static Arguments parse(List<String> args, Set<String> knownOptions) throws UsageException {
        return parse(args, knownOptions, Set.of());
    }

    /** Like {@link #parse(List, Set)}, also accepting {@code --name} switches without a value from {@code knownFlags}. */
    public static Arguments parse(List<String> args, Set<String> knownOptions, Set<String> knownFlags)
            throws UsageException {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        Set<String> flags = new java.util.HashSet<>();
        boolean help = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
            } else if (arg.startsWith("--")) {
                String name = arg.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (value == null && knownFlags.contains(name)) {
                    flags.add(name);
                    continue;
                }
                if (!knownOptions.contains(name)) {
                    throw new UsageException("unknown option --" + name);
                }
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("--" + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                options.put(name, value);
            } else {
                positional.add(arg);
            }
        }
        return new Arguments(List.copyOf(positional), Map.copyOf(options), Set.copyOf(flags), help);
    }

    public boolean help() {
        return help;
    }

    public List<String> positional() {
        return positional;
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    public Optional<Path> configFile() {
        return option("config").map(Path::of);
    }
}
