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
    private final boolean help;

    private Arguments(List<String> positional, Map<String, String> options, boolean help) {
        this.positional = positional;
        this.options = options;
        this.help = help;
    }

    public static Arguments parse(List<String> args, Set<String> knownOptions) throws UsageException {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
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
        return new Arguments(List.copyOf(positional), Map.copyOf(options), help);
    }

    public boolean help() {
        return help;
    }

    public List<String> positional() {
        return positional;
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    public Optional<Path> configFile() {
        return option("config").map(Path::of);
    }
}
