package dev.driftless.templates;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the node20 build needs to know from a function's package.json, read by node itself (the JDK
 * has no JSON parser, and a regular expression would misread valid files).
 *
 * @param dependencies    number of {@code dependencies} (installed into the image)
 * @param devDependencies number of {@code devDependencies} (installed for the tests only)
 * @param testScript      whether {@code scripts.test} is set
 */
record PackageJson(int dependencies, int devDependencies, boolean testScript) {

    static final PackageJson NONE = new PackageJson(0, 0, false);

    private static final String READER = """
            const fs = require('fs');
            let p;
            try { p = JSON.parse(fs.readFileSync(process.argv[1], 'utf8')); }
            catch (e) { console.log('package.json is not valid JSON: ' + e.message); process.exit(2); }
            const count = (o) => (o && typeof o === 'object' ? Object.keys(o).length : 0);
            const test = !!(p && p.scripts && typeof p.scripts.test === 'string');
            console.log(['package', count(p && p.dependencies), count(p && p.devDependencies), test].join(' '));
            """;

    static PackageJson read(Path handler, Path node, Map<String, String> env) throws TemplateException {
        Path file = handler.resolve("package.json");
        if (!Files.isRegularFile(file)) {
            return NONE;
        }
        ForkedProcess.Result result = new ForkedProcess("package.json", List.of(node.toString(), "-e", READER, file.toString()),
                handler, env, Duration.ofSeconds(30)).run(BuildLog.discard());
        String last = result.tail().isEmpty() ? "" : result.tail().get(result.tail().size() - 1);
        String[] parts = last.split(" ");
        if (result.exitCode() != 0 || parts.length != 4 || !parts[0].equals("package")) {
            throw new TemplateException(last.isEmpty() ? "could not read package.json (node exit " + result.exitCode() + ")" : last);
        }
        return new PackageJson(Integer.parseInt(parts[1]), Integer.parseInt(parts[2]), Boolean.parseBoolean(parts[3]));
    }
}
