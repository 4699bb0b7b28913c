package dev.driftless.templates;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * Reads the {@code <dependencies>} of a Java function's own {@code pom.xml}. Properties of the same
 * pom are substituted; versions inherited from a parent or a dependencyManagement section are not
 * (that would need Maven's whole model) and are reported, as are repositories other than Central.
 */
final class PomDependencies {
    private PomDependencies() {
    }

    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    static List<JavaDependency> parse(Path pom) throws TemplateException {
        Element project;
        try (InputStream in = Files.newInputStream(pom)) {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // The pom comes from a user's repository: no DTDs, no external entities.
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            project = factory.newDocumentBuilder().parse(in).getDocumentElement();
        } catch (IOException | SAXException | ParserConfigurationException e) {
            throw new TemplateException("pom.xml is not valid XML: " + e.getMessage(), e);
        }
        Map<String, String> properties = new HashMap<>();
        Element props = child(project, "properties");
        if (props != null) {
            for (Element p : children(props)) {
                properties.put(p.getTagName(), p.getTextContent().trim());
            }
        }
        properties.put("project.version", text(project, "version"));
        properties.put("project.groupId", text(project, "groupId"));

        List<String> problems = new ArrayList<>();
        Element repositories = child(project, "repositories");
        if (repositories != null) {
            for (Element repo : children(repositories)) {
                String url = text(repo, "url");
                if (!url.startsWith("https://repo.maven.apache.org/maven2") && !url.startsWith("https://repo1.maven.org/maven2")) {
                    problems.add("repository " + url + " is not supported (dependencies come from Maven Central)");
                }
            }
        }
        List<JavaDependency> dependencies = new ArrayList<>();
        Element deps = child(project, "dependencies");
        if (deps != null) {
            for (Element dep : children(deps)) {
                String groupId = substitute(text(dep, "groupId"), properties);
                String artifactId = substitute(text(dep, "artifactId"), properties);
                String version = substitute(text(dep, "version"), properties);
                String name = groupId + ":" + artifactId;
                if (version.isEmpty()) {
                    problems.add("dependency " + name + " has no version (versions from <parent> or <dependencyManagement> are not supported)");
                    continue;
                }
                String problem = JavaDependency.problem(groupId, artifactId, version);
                if (problem != null) {
                    problems.add("dependency " + name + ":" + version + " " + problem);
                    continue;
                }
                String type = text(dep, "type");
                if (!type.isEmpty() && !type.equals("jar") || !text(dep, "classifier").isEmpty()) {
                    problems.add("dependency " + name + ": only plain jar dependencies are supported (no type or classifier)");
                    continue;
                }
                JavaDependency.Scope scope;
                switch (text(dep, "scope").isEmpty() ? "compile" : text(dep, "scope")) {
                    case "compile" -> scope = JavaDependency.Scope.COMPILE;
                    case "runtime" -> scope = JavaDependency.Scope.RUNTIME;
                    case "provided" -> scope = JavaDependency.Scope.PROVIDED;
                    case "test" -> scope = JavaDependency.Scope.TEST;
                    default -> {
                        problems.add("dependency " + name + ": scope " + text(dep, "scope") + " is not supported");
                        continue;
                    }
                }
                List<String> exclusions = new ArrayList<>();
                Element exclusionsElement = child(dep, "exclusions");
                if (exclusionsElement != null) {
                    for (Element exclusion : children(exclusionsElement)) {
                        exclusions.add(text(exclusion, "groupId") + ":" + text(exclusion, "artifactId"));
                    }
                }
                dependencies.add(new JavaDependency(groupId, artifactId, version, scope, exclusions, "pom.xml"));
            }
        }
        if (!problems.isEmpty()) {
            throw new TemplateException("unsupported pom.xml:\n  " + String.join("\n  ", problems));
        }
        return dependencies;
    }

    private static String substitute(String value, Map<String, String> properties) {
        Matcher m = PROPERTY.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = properties.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(replacement != null ? replacement : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Element child(Element parent, String name) {
        for (Element e : children(parent)) {
            if (e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    private static String text(Element parent, String name) {
        Element e = child(parent, name);
        return e == null ? "" : e.getTextContent().trim();
    }
}
