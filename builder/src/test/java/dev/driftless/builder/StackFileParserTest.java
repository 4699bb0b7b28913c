package dev.driftless.builder;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StackFileParserTest {
    @TempDir
    Path repo;

    private final StackFileParser parser = new StackFileParser(
            new TemplateCatalog(List.of(new FakeTemplate("java17", "java11"), new FakeTemplate("python3"), new FakeTemplate("node20", "node18"))),
            1L << 30, 1000, 50);

    @BeforeEach
    void handlers() throws IOException {
        for (String h : List.of("kubecon", "hello", "fns/b")) {
            Files.createDirectories(repo.resolve(h));
        }
    }

    private StackFileParser.Outcome parse(String yaml) throws IOException {
        return parse(yaml, Map.of());
    }

    private StackFileParser.Outcome parse(String yaml, Map<String, String> vars) throws IOException {
        return parser.parse(repo.toRealPath(), "stack.yml", yaml, vars);
    }

    private static List<String> rendered(StackFileParser.Outcome outcome) {
        return outcome.problems().stream().map(StackProblem::toString).toList();
    }

    @Test
    void testParse_openFaasCloudAnnouncementExampleIsAccepted() throws IOException {
        StackFileParser.Outcome outcome = parse("""
                provider:
                  name: faas

                functions:
                  kubecon:
                    lang: python
                    handler: ./kubecon
                    image: alexellis/kubecon
                """);
        assertTrue(outcome.stack().isPresent(), rendered(outcome).toString());
        StackFile.Function f = outcome.stack().get().functions().get(0);
        assertEquals("kubecon", f.name());
        assertEquals("python", f.lang());
        assertEquals("python3", f.template());
        assertEquals("kubecon", f.handler());
        assertEquals("alexellis/kubecon", f.image().orElseThrow());
        assertEquals(List.of("stack.yml:1:1: warning: no 'version' (OpenFaaS files say version: 1.0)"), rendered(outcome));
    }

    @Test
    void testParse_everyProblemAtOnceWithLineAndColumn() throws IOException {
        StackFileParser.Outcome outcome = parse("""
                version: 1.0
                provider:
                  name: openfaas
                functions:
                  Bad_Name:
                    lang: python3
                    handler: ./hello
                  ok:
                    lang: cobol
                    handler: ./hello
                  ok:
                    lang: node20
                    handler: ./hello
                  escape:
                    lang: java17
                    handler: ../../
                  absolute:
                    lang: java17
                    handler: /etc
                  missing:
                    lang: java17
                    handler: ./nowhere
                    fprocess: python index.py
                    limits:
                      memory: 64Gi
                      cpu: 4
                    colour: blue
                """);
        assertFalse(outcome.stack().isPresent());
        assertEquals(List.of(
                "stack.yml:5:3: function name 'Bad_Name' is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)",
                "stack.yml:9:11: unknown lang 'cobol' (supported: java11, java17, node18, node20, python, python3)",
                "stack.yml:11:3: function 'ok' is defined twice (first at line 8)",
                "stack.yml:16:14: handler: path '../../' escapes the repository",
                "stack.yml:19:14: handler: path '/etc' is absolute; it must be inside the repository",
                "stack.yml:22:14: handler folder './nowhere' does not exist in the repository",
                "stack.yml:23:5: warning: 'fprocess' is not supported and is ignored: the template sets the process",
                "stack.yml:25:15: limits.memory 64Gi is above the operator's cap of 1Gi",
                "stack.yml:26:12: limits.cpu 4 is above the operator's cap of 1000m",
                "stack.yml:27:5: warning: unknown key 'colour' in function 'missing' is ignored"), rendered(outcome));
    }

    @Test
    void testParse_unknownLangAloneFailsOnlyThatFunction() throws IOException {
        StackFileParser.Outcome outcome = parse("""
                version: 1.0
                functions:
                  old:
                    lang: cobol
                    handler: ./hello
                  kubecon:
                    lang: python
                    handler: ./kubecon
                """);
        assertTrue(outcome.stack().isPresent());
        List<StackFile.Function> fns = outcome.stack().get().functions();
        assertEquals("stack.yml:4:11: unknown lang 'cobol' (supported: java11, java17, node18, node20, python, python3)",
                fns.get(0).failure().orElseThrow().toString());
        assertTrue(fns.get(1).failure().isEmpty());
    }

    @Test
    void testParse_langDockerfileFailsItsFunctionNamingFileLineAndColumn() throws IOException {
        StackFileParser.Outcome outcome = parse("""
                functions:
                  custom:
                    lang: dockerfile
                    handler: ./hello
                """);
        assertTrue(outcome.stack().isPresent());
        assertEquals("stack.yml:3:11: lang 'dockerfile' is not supported: images are built from templates without a Docker daemon"
                        + " (supported: java11, java17, node18, node20, python, python3)",
                outcome.stack().get().functions().get(0).failure().orElseThrow().toString());
    }

    @Test
    void testParse_configurationTemplatesBuiltInNameIsUsedAndAForeignOneWithoutSourceFailsItsFunctions() throws IOException {
        StackFileParser.Outcome outcome = parse("""
                version: 1.0
                functions:
                  hello:
                    lang: node20
                    handler: ./hello
                  custom:
                    lang: my-template
                    handler: ./kubecon
                configuration:
                  templates:
                    - name: node20
                      source: https://github.com/openfaas/templates
                    - name: my-template
                """);
        assertTrue(outcome.stack().isPresent(), rendered(outcome).toString());
        assertEquals(List.of(
                "stack.yml:12:15: warning: configuration.templates 'node20': built in; Driftless uses its own, and"
                        + " https://github.com/openfaas/templates is not fetched because it is not pinned to a commit"
                        + " (write https://github.com/openfaas/templates#<40-character commit> to have it fetched and checked)",
                "stack.yml:13:7: warning: configuration.templates 'my-template': no source, and the OpenFaaS template store is not"
                        + " reachable from Driftless; functions with lang: my-template fail"),
                outcome.warnings().stream().map(StackProblem::toString).toList());
        List<StackFile.Function> fns = outcome.stack().get().functions();
        assertTrue(fns.get(0).failure().isEmpty());
        assertEquals("stack.yml:7:11: lang 'my-template' comes from configuration.templates (stack.yml:13), which"
                        + " Driftless cannot build (supported: java11, java17, node18, node20, python, python3)",
                fns.get(1).failure().orElseThrow().toString());
    }

    @Test
    void testParse_foreignTemplateSourceMustBePinnedToACommit() throws IOException {
        StackFileParser.Outcome outcome = parse("""
                functions:
                  custom:
                    lang: my-template
                    handler: ./kubecon
                configuration:
                  templates:
                    - name: my-template
                      source: https://git.example/templates.git#v1.2
                """);
        assertFalse(outcome.stack().isPresent());
        assertTrue(rendered(outcome).contains("stack.yml:8:15: configuration.templates 'my-template': source https://git.example/templates.git"
                + " is pinned to 'v1.2', which is not a commit (a branch or tag can move); write source:"
                + " https://git.example/templates.git#<40-character commit> (git ls-remote https://git.example/templates.git lists them)"
                + " so every build of this commit uses the same template"), rendered(outcome).toString());
    }

    @Test
    void testParse_thousandFunctionsIsOneLimitError() throws IOException {
        StringBuilder yaml = new StringBuilder("version: 1.0\nfunctions:\n");
        for (int i = 0; i < 1000; i++) {
            yaml.append("  fn-").append(i).append(":\n    lang: python3\n    handler: ./fn-").append(i).append("\n");
        }
        StackFileParser.Outcome outcome = parse(yaml.toString());
        // One error for the whole file, not a thousand per-function ones.
        assertEquals(List.of("stack.yml:3:3: stack file has 1000 functions, the limit is 50"), rendered(outcome));
    }

    @Test
    void testParse_substitutesVariablesLikeFaasCli() throws IOException {
        StackFileParser.Outcome outcome = parse("""
                version: 1.0
                functions:
                  hello:
                    lang: ${LANG_NAME:-python3}
                    handler: ./${DIR}
                    environment:
                      greeting: "hi ${WHO:-world}"
                      empty_default: "${UNSET_BUT_EMPTY:-fallback}"
                      missing: "[${NOT_SET}]"
                    labels:
                      team: ${TEAM}
                """, Map.of("DIR", "hello", "TEAM", "blue", "UNSET_BUT_EMPTY", ""));
        StackFile.Function f = outcome.stack().orElseThrow().functions().get(0);
        assertEquals("python3", f.lang());
        assertEquals("hello", f.handler());
        assertEquals(Map.of("greeting", "hi world", "empty_default", "fallback", "missing", "[]"), f.environment());
        assertEquals(Map.of("team", "blue"), f.labels());
        assertEquals(List.of("stack.yml:9:16: warning: variable 'NOT_SET' is not set; it expands to an empty value"), rendered(outcome));
    }

    @Test
    void testParse_allFunctionFields() throws IOException {
        Files.writeString(repo.resolve("env.yml"), "environment:\n  FROM_FILE: a\n  SHARED: file\n");
        StackFileParser.Outcome outcome = parse("""
                version: 1.0
                provider:
                  name: openfaas
                  gateway: http://127.0.0.1:8080
                configuration:
                  templates:
                    - name: python3-http
                      source: https://github.com/openfaas/python-flask-template#0123456789abcdef0123456789abcdef01234567
                  copy:
                    - ./fns
                x-defaults: &defaults
                  lang: python3
                functions:
                  hello:
                    <<: *defaults
                    handler: ./hello
                    environment:
                      SHARED: inline
                      write_debug: true
                    environment_file:
                      - env.yml
                    secrets: [api-key]
                    labels: {com.openfaas.scale.min: "2"}
                    annotations: {topic: orders}
                    limits: {memory: 128Mi, cpu: 500m}
                    requests: {memory: 64M, cpu: "0.1"}
                    build_args: {PIP_INDEX: internal}
                    constraints: ["node.platform.os == linux"]
                    readonly_root_filesystem: true
                    skip_build: false
                """);
        StackFile stack = outcome.stack().orElseThrow(() -> new AssertionError(rendered(outcome)));
        assertEquals(List.of("fns"), stack.copy());
        StackFile.Function f = stack.functions().get(0);
        assertEquals("python3", f.template());
        assertEquals(Map.of("FROM_FILE", "a", "SHARED", "inline", "write_debug", "true"), f.environment());
        assertEquals(List.of("api-key"), f.secrets());
        assertEquals(Map.of("com.openfaas.scale.min", "2"), f.labels());
        assertEquals(Map.of("topic", "orders"), f.annotations());
        assertEquals(128L << 20, f.memoryLimitBytes().orElseThrow());
        assertEquals(64_000_000L, f.memoryRequestBytes().orElseThrow());
        assertEquals(500L, f.cpuLimitMillis().orElseThrow());
        assertEquals(100L, f.cpuRequestMillis().orElseThrow());
        assertEquals(Map.of("PIP_INDEX", "internal"), f.buildArgs());
        assertEquals(List.of("node.platform.os == linux"), f.constraints());
        assertTrue(f.readOnlyRootFilesystem());
        assertFalse(f.skipBuild());
        // Pinned: the builder fetches it (TemplateRepositoriesTest); the parser only records where it is.
        assertEquals(List.of(new StackFile.TemplateSource("python3-http", java.util.Optional.of("https://github.com/openfaas/python-flask-template"),
                java.util.Optional.of("0123456789abcdef0123456789abcdef01234567"), false, 7, 7)), stack.templates());
        assertEquals(List.of(
                "stack.yml:11:1: warning: unknown key 'x-defaults' is ignored (known: configuration, functions, provider, version)"),
                rendered(outcome));
    }

    @Test
    void testParse_environmentFileOutsideRepositoryIsRefused() throws IOException {
        StackFileParser.Outcome outcome = parse("""
                version: 1.0
                functions:
                  hello:
                    lang: python3
                    handler: ./hello
                    environment_file:
                      - ../../etc/passwd
                """);
        assertEquals(List.of("stack.yml:7:9: environment_file: path '../../etc/passwd' escapes the repository"), rendered(outcome));
    }

    @Test
    void testParse_invalidYamlHasPosition() throws IOException {
        StackFileParser.Outcome outcome = parse("functions:\n  hello:\n    lang: [python3\n");
        assertFalse(outcome.stack().isPresent());
        assertEquals(1, outcome.problems().size());
        assertTrue(outcome.problems().get(0).toString().startsWith("stack.yml:4:1: not valid YAML"), rendered(outcome).toString());
    }

    /** Found by the fuzzer (reliability/): SnakeYAML throws IllegalArgumentException for this tag. */
    @Test
    void testParse_malformedTagIsAProblemNotACrash() throws IOException {
        for (String text : List.of("!%20a: b\n", "!<%20a>: b\n", "x: !%20\n")) {
            StackFileParser.Outcome outcome = parse(text);
            assertFalse(outcome.stack().isPresent(), text);
            assertFalse(outcome.problems().isEmpty(), text);
        }
    }

    @Test
    void testQuantities() {
        assertEquals(128L << 20, Quantities.memoryBytes("128Mi"));
        assertEquals(1_000_000_000L, Quantities.memoryBytes("1G"));
        assertEquals(512L << 20, Quantities.memoryBytes("0.5Gi"));
        assertEquals(-1, Quantities.memoryBytes("lots"));
        assertEquals(100, Quantities.cpuMillis("100m"));
        assertEquals(500, Quantities.cpuMillis("0.5"));
        assertEquals(2000, Quantities.cpuMillis("2"));
        assertEquals(-1, Quantities.cpuMillis("fast"));
    }
}
