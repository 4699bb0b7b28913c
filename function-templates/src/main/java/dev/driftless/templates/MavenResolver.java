package dev.driftless.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Resolves a Java function's jars from Maven Central by forking Maven on a generated pom (no Gradle,
 * no Maven in the daemon's class loader), sharing the daemon's local repository as cache. One Maven
 * run copies every set the build needs: the image's runtime jars, the compile and test classpaths,
 * the OpenFaaS model for the runtime layer and the JUnit console launcher.
 */
final class MavenResolver {
    static final String OPENFAAS_MODEL = "com.openfaas:model:0.1.1";
    static final String JUNIT_CONSOLE = "org.junit.platform:junit-platform-console-standalone:1.14.1";
    private static final String DEPENDENCY_PLUGIN_VERSION = "3.8.1";
    /** The console launcher brings its own JUnit; a second copy from the function's test deps would register engines twice. */
    private static final String JUNIT_GROUPS = "org.junit.jupiter,org.junit.platform,org.junit.vintage,org.opentest4j,org.apiguardian";
    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    /**
     * Folders of jars (file names {@code groupId.artifactId-version.jar}, so equal artifact ids never collide).
     *
     * @param runtime jars the function needs at run time (the dependencies layer)
     * @param compile jars to compile the handler against (runtime plus compile-only)
     * @param test    jars for the handler's tests, without JUnit itself
     * @param model   the OpenFaaS model jar
     * @param tools   the JUnit console launcher
     */
    record Resolved(Path runtime, Path compile, Path test, Path model, Path tools) {
    }

    private final HostTools tools;

    MavenResolver(HostTools tools) {
        this.tools = tools;
    }

    Resolved resolve(List<JavaDependency> dependencies, Path dir, Path runtimeDir, BuildLog log) throws TemplateException {
        Path out = Trees.mkdirs(dir.resolve("out"));
        Resolved resolved = new Resolved(runtimeDir, out.resolve("compile"), out.resolve("test"), out.resolve("model"), out.resolve("tools"));
        if (dependencies.isEmpty() && fromLocalRepository(resolved, log)) {
            return resolved;
        }
        try {
            Files.writeString(dir.resolve("pom.xml"), pom(dependencies, resolved), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new TemplateException("could not write the dependency pom: " + e.getMessage(), e);
        }
        Path mvn = tools.mvn();
        ForkedProcess maven = new ForkedProcess("dependency resolution",
                List.of(mvn.toString(), "-B", "-q", "-ntp", "-f", dir.resolve("pom.xml").toString(),
                        "-Dmaven.repo.local=" + tools.mavenRepository(), "validate"),
                dir,
                // Maven runs on the daemon's JDK.
                tools.environment(dir, Map.of("MAVEN_OPTS", "-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1",
                        "JAVA_HOME", tools.javaHome().toString()), mvn, tools.java()),
                TIMEOUT);
        ForkedProcess.Result result = maven.run(log);
        if (result.exitCode() != 0) {
            throw new TemplateException("could not resolve the function's dependencies from Maven Central (mvn exit "
                    + result.exitCode() + "):\n" + result.tailText(15));
        }
        for (Path folder : List.of(resolved.runtime(), resolved.compile(), resolved.test(), resolved.model(), resolved.tools())) {
            Trees.mkdirs(folder);
        }
        return resolved;
    }

    /**
     * Without declared dependencies only the template's two jars are needed; when the local repository
     * already holds them, copying beats starting Maven (seconds per build).
     */
    private boolean fromLocalRepository(Resolved resolved, BuildLog log) throws TemplateException {
        Path model = localJar(OPENFAAS_MODEL);
        Path console = localJar(JUNIT_CONSOLE);
        if (!Files.isRegularFile(model) || !Files.isRegularFile(console)) {
            return false;
        }
        try {
            for (Path folder : List.of(resolved.runtime(), resolved.compile(), resolved.test(), resolved.model(), resolved.tools())) {
                Trees.mkdirs(folder);
            }
            Files.copy(model, resolved.model().resolve("com.openfaas.model-0.1.1.jar"));
            Files.copy(console, resolved.tools().resolve(console.getFileName()));
        } catch (IOException e) {
            throw new TemplateException("could not copy from the local Maven repository: " + e.getMessage(), e);
        }
        log.line("no dependencies to resolve: template jars taken from the local Maven repository");
        return true;
    }

    private Path localJar(String coordinates) {
        String[] gav = coordinates.split(":");
        return tools.mavenRepository().resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2])
                .resolve(gav[1] + "-" + gav[2] + ".jar");
    }

    /** Test dependencies the JUnit console launcher already contains; resolving them would only add duplicates. */
    static boolean providedByLauncher(JavaDependency d) {
        return d.scope() == JavaDependency.Scope.TEST && List.of(JUNIT_GROUPS.split(",")).contains(d.groupId());
    }

    /** Jar files of a folder, sorted. */
    static List<Path> jars(Path folder) throws TemplateException {
        try {
            return Trees.files(folder, java.util.Set.of()).stream().filter(p -> p.toString().endsWith(".jar")).toList();
        } catch (IOException e) {
            throw new TemplateException("could not list " + folder + ": " + e.getMessage(), e);
        }
    }

    private static String pom(List<JavaDependency> dependencies, Resolved to) {
        StringBuilder deps = new StringBuilder();
        for (JavaDependency d : dependencies) {
            deps.append("    <dependency><groupId>").append(xml(d.groupId())).append("</groupId><artifactId>").append(xml(d.artifactId()))
                    .append("</artifactId><version>").append(xml(d.version())).append("</version><scope>").append(d.scope().maven()).append("</scope>");
            if (!d.exclusions().isEmpty()) {
                deps.append("<exclusions>");
                for (String exclusion : d.exclusions()) {
                    String[] ga = exclusion.split(":", 2);
                    deps.append("<exclusion><groupId>").append(xml(ga[0])).append("</groupId><artifactId>")
                            .append(xml(ga.length > 1 ? ga[1] : "*")).append("</artifactId></exclusion>");
                }
                deps.append("</exclusions>");
            }
            deps.append("</dependency>\n");
        }
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- Generated by Driftless to resolve a function's jars; not the function's own build. -->
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>dev.driftless.function</groupId>
                  <artifactId>function-dependencies</artifactId>
                  <version>0</version>
                  <packaging>pom</packaging>
                  <dependencies>
                %s  </dependencies>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-dependency-plugin</artifactId>
                        <version>%s</version>
                        <configuration><useRepositoryLayout>false</useRepositoryLayout><prependGroupId>true</prependGroupId><silent>true</silent></configuration>
                        <executions>
                          <execution><id>runtime</id><phase>validate</phase><goals><goal>copy-dependencies</goal></goals>
                            <configuration><includeScope>runtime</includeScope><outputDirectory>%s</outputDirectory></configuration></execution>
                          <execution><id>compile</id><phase>validate</phase><goals><goal>copy-dependencies</goal></goals>
                            <configuration><includeScope>compile</includeScope><outputDirectory>%s</outputDirectory></configuration></execution>
                          <execution><id>test</id><phase>validate</phase><goals><goal>copy-dependencies</goal></goals>
                            <configuration><includeScope>test</includeScope><excludeGroupIds>%s</excludeGroupIds><outputDirectory>%s</outputDirectory></configuration></execution>
                          <execution><id>model</id><phase>validate</phase><goals><goal>copy</goal></goals>
                            <configuration><artifactItems><artifactItem><groupId>com.openfaas</groupId><artifactId>model</artifactId><version>%s</version></artifactItem></artifactItems><outputDirectory>%s</outputDirectory></configuration></execution>
                          <execution><id>tools</id><phase>validate</phase><goals><goal>copy</goal></goals>
                            <configuration><artifactItems><artifactItem><groupId>org.junit.platform</groupId><artifactId>junit-platform-console-standalone</artifactId><version>%s</version></artifactItem></artifactItems><outputDirectory>%s</outputDirectory></configuration></execution>
                        </executions>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(deps, DEPENDENCY_PLUGIN_VERSION,
                xml(to.runtime().toString()), xml(to.compile().toString()), JUNIT_GROUPS, xml(to.test().toString()),
                OPENFAAS_MODEL.split(":")[2], xml(to.model().toString()), JUNIT_CONSOLE.split(":")[2], xml(to.tools().toString()));
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
