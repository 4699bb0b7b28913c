package dev.driftless.templates;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One dependency a Java function declares, in Maven terms.
 *
 * @param exclusions {@code group:artifact} pairs not to pull in transitively
 * @param declaredAt where it was declared, for messages: {@code build.gradle line 7}
 */
record JavaDependency(String groupId, String artifactId, String version, Scope scope, List<String> exclusions, String declaredAt) {

    /** Maven scopes: where a jar is needed. */
    enum Scope {
        /** compile and run (Gradle implementation/api). */
        COMPILE,
        /** run only (runtimeOnly). */
        RUNTIME,
        /** compile only, not in the image (compileOnly). */
        PROVIDED,
        /** the handler's tests only (testImplementation). */
        TEST;

        String maven() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9_.\\-]+");

    JavaDependency {
        exclusions = List.copyOf(exclusions);
    }

    /** Coordinates a function may not use verbatim: variables, dynamic versions, odd characters. */
    static String problem(String groupId, String artifactId, String version) {
        if (groupId.isEmpty() || artifactId.isEmpty() || version.isEmpty()) {
            return "needs group, artifact and version";
        }
        if ((groupId + artifactId + version).contains("$")) {
            return "variables in coordinates are not supported; write the version out";
        }
        if (version.contains("+") || version.startsWith("latest.") || version.startsWith("[") || version.startsWith("(")) {
            return "dynamic versions are not supported; pin an exact version";
        }
        if (!PART.matcher(groupId).matches() || !PART.matcher(artifactId).matches() || !PART.matcher(version).matches()) {
            return "is not a plain group:artifact:version";
        }
        return null;
    }

    String coordinates() {
        return groupId + ":" + artifactId + ":" + version;
    }

    /** The OpenFaaS model and entrypoint come with the template's runtime layer; a function's copy would only clash. */
    boolean providedByTemplate() {
        return groupId.equals("com.openfaas") && (artifactId.equals("model") || artifactId.equals("entrypoint"));
    }
}
