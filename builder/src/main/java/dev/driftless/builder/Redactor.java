package dev.driftless.builder;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Replaces secret values with {@code ***} in every line a build writes. */
final class Redactor {
    private static final int MIN_SECRET_LENGTH = 4; // shorter values would blank out ordinary words

    private final List<String> secrets;

    Redactor(Collection<String> secrets) {
        // Longest first, so a secret that contains another is replaced whole.
        this.secrets = secrets.stream().filter(s -> s != null && s.length() >= MIN_SECRET_LENGTH).distinct()
                .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    }

    /**
     * Variables whose names say they are secret ({@code *TOKEN*}, {@code *SECRET*}, {@code *PASSWORD*},
     * {@code *PASSWD*}, {@code *KEY*}, {@code *CREDENTIAL*}): their values are redacted.
     */
    static boolean looksSecret(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return n.contains("TOKEN") || n.contains("SECRET") || n.contains("PASSWORD") || n.contains("PASSWD")
                || n.contains("KEY") || n.contains("CREDENTIAL");
    }

    static List<String> secretValues(Map<String, String> variables) {
        return variables.entrySet().stream().filter(e -> looksSecret(e.getKey())).map(Map.Entry::getValue).toList();
    }

    Redactor with(Collection<String> more) {
        List<String> all = new java.util.ArrayList<>(secrets);
        all.addAll(more);
        return new Redactor(all);
    }

    String redact(String line) {
        String out = line;
        for (String s : secrets) {
            if (out.contains(s)) {
                out = out.replace(s, "***");
            }
        }
        return out;
    }
}
