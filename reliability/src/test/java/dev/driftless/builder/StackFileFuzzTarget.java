package dev.driftless.builder;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import dev.driftless.templates.Templates;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the {@code stack.yml} parser with the built-in templates and the daemon's limits: any text gives an
 * {@link StackFileParser.Outcome} (a stack, or problems with line and column), never an exception, and a stack
 * that cannot be used says why. Seeds: a valid stack, anchors and aliases, variables.
 */
public final class StackFileFuzzTarget {
    private StackFileFuzzTarget() { }

    private static final Path ROOT = root();
    private static final StackFileParser PARSER = new StackFileParser(new TemplateCatalog(Templates.builtIn().all()),
            2L * 1024 * 1024 * 1024, 2_000, 50);
    private static final String[] SEEDS = {
        "provider:\n  name: openfaas\nfunctions:\n  hello:\n    lang: python3\n    handler: ./hello\n",
        "version: 1.0\nfunctions:\n  a: &f\n    lang: java17\n    handler: ./hello\n  b: *f\n",
        "functions:\n  hello:\n    lang: ${LANG:-node20}\n    handler: ./hello\n    environment:\n      exec_timeout: 30s\n",
    };

    /** One fuzz input: returns normally, or throws a finding. */
    public static void check(FuzzedDataProvider data) {
        String text = data.consumeBoolean() ? data.pickValue(SEEDS) + data.consumeRemainingAsString()
                : data.consumeRemainingAsString();
        StackFileParser.Outcome outcome = PARSER.parse(ROOT, "stack.yml", text, Map.of("LANG", "python3"));
        assertNotNull(outcome);
        assertTrue(outcome.stack().isPresent() || !outcome.problems().isEmpty(), "an unusable stack says why");
        outcome.problems().forEach(p -> assertTrue(p.toString().startsWith("stack.yml"), "problems name the file: " + p));
    }

    private static Path root() {
        try {
            Path root = Files.createTempDirectory("stack-fuzz").toRealPath();
            Files.createDirectories(root.resolve("hello"));
            return root;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
