package dev.driftless.builder;

import dev.driftless.templates.FunctionTemplate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Finds the template for a {@code lang} value, by name or alias. Adds the OpenFaaS classic names the
 * templates may not alias themselves: {@code python} (the classic template, python 2 originally) means
 * {@code python3}, so repositories written for OpenFaaS build unchanged.
 */
final class TemplateCatalog {
    private static final Map<String, String> CLASSIC_ALIASES = Map.of("python", "python3");

    private final Map<String, FunctionTemplate> byLang = new LinkedHashMap<>();

    TemplateCatalog(List<FunctionTemplate> templates) {
        for (FunctionTemplate t : templates) {
            byLang.putIfAbsent(t.name(), t);
        }
        for (FunctionTemplate t : templates) {
            for (String alias : t.aliases()) {
                byLang.putIfAbsent(alias, t);
            }
        }
        CLASSIC_ALIASES.forEach((alias, target) -> {
            FunctionTemplate t = byLang.get(target);
            if (t != null) {
                byLang.putIfAbsent(alias, t);
            }
        });
    }

    Optional<FunctionTemplate> find(String lang) {
        return Optional.ofNullable(byLang.get(lang));
    }

    /** Every accepted {@code lang} value, sorted, for error messages. */
    List<String> supported() {
        return List.copyOf(new TreeSet<>(byLang.keySet()));
    }
}
