package dev.driftless.templates;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the dependencies of an OpenFaaS Java function's {@code build.gradle} without running Gradle.
 *
 * <p>Only what a function build needs is understood: the java/java-library plugin, Maven Central
 * (or jcenter) as repository, and {@code implementation 'group:artifact:version'}-style dependencies.
 * Everything else that would change the build is reported as unsupported with its line, because
 * silently ignoring it would build something other than what the user wrote. Settings that cannot
 * change the image (jar manifest, toolchain version, test logging) are accepted.
 */
final class GradleBuildFile {
    private GradleBuildFile() {
    }

    private static final Map<String, JavaDependency.Scope> CONFIGURATIONS = Map.ofEntries(
            Map.entry("implementation", JavaDependency.Scope.COMPILE),
            Map.entry("api", JavaDependency.Scope.COMPILE),
            Map.entry("compile", JavaDependency.Scope.COMPILE),
            Map.entry("runtimeOnly", JavaDependency.Scope.RUNTIME),
            Map.entry("compileOnly", JavaDependency.Scope.PROVIDED),
            Map.entry("testImplementation", JavaDependency.Scope.TEST),
            Map.entry("testCompile", JavaDependency.Scope.TEST),
            Map.entry("testRuntimeOnly", JavaDependency.Scope.TEST),
            Map.entry("testCompileOnly", JavaDependency.Scope.TEST));

    private static final Pattern DEPENDENCY = Pattern.compile("(\\w+)\\s*\\(?\\s*(['\"])([^'\"]*)\\2\\s*\\)?");
    private static final Pattern PLUGIN = Pattern.compile("id\\s*\\(?\\s*(['\"])(java|java-library)\\1\\s*\\)?|java|`java-library`");
    private static final Pattern APPLY_PLUGIN = Pattern.compile("apply\\s+plugin\\s*:\\s*(['\"])(java|java-library)\\1");
    private static final Pattern SETTING = Pattern.compile("(group|version|description|sourceCompatibility|targetCompatibility)\\s*=.*");
    private static final Pattern TEST_BLOCK = Pattern.compile("test|tasks\\.named\\s*\\(\\s*(['\"])test\\1\\s*\\)|tasks\\.withType\\s*\\(\\s*Test\\s*\\)");

    static List<JavaDependency> parse(String text, String fileName) throws TemplateException {
        List<JavaDependency> dependencies = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> blocks = new ArrayList<>();
        for (Statement statement : statements(stripComments(text))) {
            String where = fileName + " line " + statement.line();
            String context = String.join("/", blocks);
            if (statement.kind() == Kind.CLOSE) {
                if (blocks.isEmpty()) {
                    problems.add(where + ": unbalanced '}'");
                } else {
                    blocks.remove(blocks.size() - 1);
                }
                continue;
            }
            String s = statement.text();
            if (statement.kind() == Kind.OPEN) {
                String name = blockName(context, s);
                if (name == null) {
                    problems.add(where + ": `" + s + " {` is not supported");
                    name = "?unsupported";
                }
                blocks.add(name);
                continue;
            }
            if (context.startsWith("jar") || context.contains("?unsupported") || context.contains("testLogging")) {
                continue;
            }
            switch (context) {
                case "" -> {
                    if (!APPLY_PLUGIN.matcher(s).matches() && !SETTING.matcher(s).matches()) {
                        problems.add(where + ": `" + s + "` is not supported");
                    }
                }
                case "plugins" -> {
                    if (!PLUGIN.matcher(s).matches()) {
                        problems.add(where + ": plugin `" + s + "` is not supported (only java and java-library)");
                    }
                }
                case "repositories" -> {
                    if (!s.equals("mavenCentral()") && !s.equals("jcenter()")) {
                        problems.add(where + ": repository `" + s + "` is not supported (dependencies come from Maven Central)");
                    }
                }
                case "dependencies" -> {
                    String problem = dependency(s, where, dependencies);
                    if (problem != null) {
                        problems.add(where + ": `" + s + "` " + problem);
                    }
                }
                case "java", "java/toolchain" -> {
                    if (!s.matches("(languageVersion|sourceCompatibility|targetCompatibility)\\s*=.*")) {
                        problems.add(where + ": `" + s + "` is not supported");
                    }
                }
                case "test" -> {
                    if (!s.equals("useJUnitPlatform()")) {
                        problems.add(where + ": `" + s + "` is not supported (tests run on the JUnit Platform)");
                    }
                }
                default -> problems.add(where + ": `" + s + "` is not supported");
            }
        }
        if (!blocks.isEmpty()) {
            problems.add(fileName + ": a `{` block is not closed");
        }
        if (!problems.isEmpty()) {
            throw new TemplateException("unsupported " + fileName + " (Driftless builds Java functions without Gradle and reads only "
                    + "plugins java/java-library, repositories mavenCentral()/jcenter() and dependencies written as "
                    + "implementation/api/compileOnly/runtimeOnly/testImplementation 'group:artifact:version'):\n  "
                    + String.join("\n  ", problems));
        }
        return dependencies;
    }

    /** The name a block gets in the context path, or null when such a block is not supported there. */
    private static String blockName(String context, String text) {
        if (context.contains("?unsupported")) {
            return "?unsupported"; // already reported at the outer block
        }
        if (context.startsWith("jar") || context.contains("testLogging")) {
            return text; // packaging and test output settings cannot change the image
        }
        return switch (context) {
            case "" -> switch (text) {
                case "plugins", "repositories", "dependencies", "java", "jar" -> text;
                default -> TEST_BLOCK.matcher(text).matches() ? "test" : null;
            };
            case "java" -> text.equals("toolchain") ? "toolchain" : null;
            case "test" -> text.equals("testLogging") ? "testLogging" : null;
            default -> null;
        };
    }

    /** Adds the dependency, or returns what is wrong with it. */
    private static String dependency(String text, String where, List<JavaDependency> out) {
        Matcher m = DEPENDENCY.matcher(text);
        if (!m.matches()) {
            return "is not supported (write dependencies as implementation 'group:artifact:version')";
        }
        JavaDependency.Scope scope = CONFIGURATIONS.get(m.group(1));
        if (scope == null) {
            return "uses configuration `" + m.group(1) + "`, which is not supported";
        }
        String[] parts = m.group(3).split(":", -1);
        if (parts.length != 3) {
            return "is not group:artifact:version";
        }
        String problem = JavaDependency.problem(parts[0], parts[1], parts[2]);
        if (problem != null) {
            return problem;
        }
        out.add(new JavaDependency(parts[0], parts[1], parts[2], scope, List.of(), where));
        return null;
    }

    enum Kind { STATEMENT, OPEN, CLOSE }

    record Statement(Kind kind, String text, int line) {
    }

    /** Splits into statements at newlines, ';', '{' and '}' outside strings; '{' makes the text before it a block name. */
    static List<Statement> statements(String text) {
        List<Statement> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int line = 1;
        int startLine = 1;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                current.append(c);
                if (c == '\\' && i + 1 < text.length()) {
                    current.append(text.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                } else if (c == '\n') {
                    line++;
                }
                continue;
            }
            switch (c) {
                case '\'', '"' -> {
                    quote = c;
                    current.append(c);
                }
                case '{' -> {
                    out.add(new Statement(Kind.OPEN, current.toString().strip(), startLine));
                    current.setLength(0);
                    startLine = line;
                }
                case '}', ';', '\n' -> {
                    if (!current.toString().isBlank()) {
                        out.add(new Statement(Kind.STATEMENT, current.toString().strip(), startLine));
                    }
                    current.setLength(0);
                    if (c == '}') {
                        out.add(new Statement(Kind.CLOSE, "}", line));
                    }
                    if (c == '\n') {
                        line++;
                    }
                    startLine = line;
                }
                default -> {
                    if (current.toString().isBlank()) {
                        startLine = line;
                    }
                    current.append(c);
                }
            }
        }
        if (!current.toString().isBlank()) {
            out.add(new Statement(Kind.STATEMENT, current.toString().strip(), startLine));
        }
        return out;
    }

    /** Blanks out comments (keeping newlines so line numbers stay right); '//' inside strings is kept. */
    static String stripComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (quote != 0) {
                out.append(c);
                if (c == '\\' && next != 0) {
                    out.append(next);
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                out.append(c);
            } else if (c == '/' && next == '/') {
                while (i < text.length() && text.charAt(i) != '\n') {
                    i++;
                }
                i--;
            } else if (c == '/' && next == '*') {
                i += 2;
                while (i < text.length() && !(text.charAt(i) == '*' && i + 1 < text.length() && text.charAt(i + 1) == '/')) {
                    if (text.charAt(i) == '\n') {
                        out.append('\n');
                    }
                    i++;
                }
                i++;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
