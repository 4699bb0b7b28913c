package dev.driftless.builder;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} as faas-cli expands them (envsubst), from the build request's
 * variables only, never from the daemon's own environment. An unset variable without default becomes empty.
 */
final class VarSubstitution {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?}");

    private final Map<String, String> variables;

    VarSubstitution(Map<String, String> variables) {
        this.variables = Map.copyOf(variables);
    }

    /** Expands {@code text}; calls {@code unset} with the name of each variable that was unset and had no default. */
    String expand(String text, Consumer<String> unset) {
        if (text.indexOf("${") < 0) {
            return text;
        }
        Matcher m = VAR.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String op = m.group(2);
            String value = variables.get(name);
            String replacement;
            if (op == null) {
                if (value == null) {
                    unset.accept(name);
                }
                replacement = value == null ? "" : value;
            } else if (op.equals(":-")) {
                replacement = value == null || value.isEmpty() ? m.group(3) : value;
            } else {
                replacement = value == null ? m.group(3) : value;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
