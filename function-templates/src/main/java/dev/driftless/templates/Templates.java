package dev.driftless.templates;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in language templates, found by the {@code lang} of a stack.yml function (name or alias).
 *
 * <pre>{@code
 * Templates templates = Templates.builtIn();
 * FunctionTemplate t = templates.find(fn.lang()).orElseThrow(() ->
 *         new X("unsupported lang " + fn.lang() + ", supported are " + String.join(", ", templates.supportedLangs())));
 * TemplateBuild build = t.build(new TemplateContext(name, handlerDir, workDir, buildArgs, Duration.ofSeconds(60), log));
 * }</pre>
 */
public final class Templates implements AutoCloseable {
    private final Map<String, FunctionTemplate> byLang;
    private final List<FunctionTemplate> templates;
    private final Map<String, TemplateFiles> samples;

    private Templates(List<FunctionTemplate> templates, Map<String, TemplateFiles> samples) {
        this.templates = List.copyOf(templates);
        this.samples = Map.copyOf(samples);
        Map<String, FunctionTemplate> map = new LinkedHashMap<>();
        for (FunctionTemplate t : templates) {
            map.put(t.name(), t);
            t.aliases().forEach(alias -> map.put(alias, t));
        }
        this.byLang = Collections.unmodifiableMap(map);
    }

    /** java17 (java11), python3 (python), python3-http, node20 (node18), node, go, golang-middleware, ruby, csharp, using the build tools found on this machine. */
    public static Templates builtIn() {
        return builtIn(true);
    }

    /** As {@link #builtIn()}; {@code javaStandby} false builds java17 in a cold build JVM every time (no JVM waits). */
    public static Templates builtIn(boolean javaStandby) {
        HostTools tools = HostTools.fromEnvironment();
        TemplateFiles java = TemplateFiles.load("templates/java17");
        TemplateFiles python = TemplateFiles.load("templates/python3");
        TemplateFiles node = TemplateFiles.load("templates/node20");
        TemplateFiles nodeClassic = TemplateFiles.load("templates/node");
        TemplateFiles pythonHttp = TemplateFiles.load("templates/python3-http");
        TemplateFiles go = TemplateFiles.load("templates/go");
        TemplateFiles goMiddleware = TemplateFiles.load("templates/golang-middleware");
        TemplateFiles ruby = TemplateFiles.load("templates/ruby");
        TemplateFiles csharp = TemplateFiles.load("templates/csharp");
        return new Templates(List.of(
                        new Java17Template(tools, java, TemplateFiles.load("dev/driftless/entrypoint/java"), javaStandby),
                        Python3Template.classic(tools, python),
                        Python3Template.http(tools, pythonHttp),
                        Node20Template.ofWatchdog(tools, node),
                        Node20Template.classic(tools, nodeClassic),
                        new GoTemplate(GoTemplate.CLASSIC, "package function with func Handle(req []byte) string", tools, go),
                        new GoTemplate(GoTemplate.MIDDLEWARE, "package function with func Handle(w http.ResponseWriter, r *http.Request)",
                                tools, goMiddleware),
                        new RubyTemplate(tools, ruby),
                        new CsharpTemplate(tools, csharp)),
                Map.of(Java17Template.NAME, java.under("sample"), Python3Template.NAME, python.under("sample"),
                        Python3Template.HTTP_NAME, pythonHttp.under("sample"),
                        Node20Template.NAME, node.under("sample"), Node20Template.CLASSIC_NAME, nodeClassic.under("sample"),
                        GoTemplate.CLASSIC, go.under("sample"),
                        GoTemplate.MIDDLEWARE, goMiddleware.under("sample"), RubyTemplate.NAME, ruby.under("sample"),
                        CsharpTemplate.NAME, csharp.under("sample")));
    }

    /** The template for a stack.yml {@code lang}: a canonical name or an alias. */
    public Optional<FunctionTemplate> find(String lang) {
        return Optional.ofNullable(lang == null ? null : byLang.get(lang.trim()));
    }

    /** Every accepted {@code lang} value, names and aliases, sorted: for "supported are …" messages. */
    public List<String> supportedLangs() {
        List<String> langs = new ArrayList<>(byLang.keySet());
        Collections.sort(langs);
        return List.copyOf(langs);
    }

    /** Ends what templates keep running between builds (java17's standby build JVM); a shutdown hook does it too. */
    @Override
    public void close() {
        for (FunctionTemplate template : templates) {
            if (template instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    // Closing is best effort; the shutdown hook and the standbys' end of input stop the rest.
                }
            }
        }
    }

    /** The templates themselves, one per language. */
    public List<FunctionTemplate> all() {
        return templates;
    }

    /**
     * Writes the sample function of a template (a handler folder with a passing unit test, ready to be
     * named in a stack.yml as {@code handler:}) into {@code target}; used by the demo and by tests.
     */
    public void writeSample(String lang, Path target) throws IOException {
        FunctionTemplate template = find(lang).orElseThrow(() -> new IllegalArgumentException("unknown lang " + lang));
        samples.get(template.name()).writeTo(target);
    }
}
