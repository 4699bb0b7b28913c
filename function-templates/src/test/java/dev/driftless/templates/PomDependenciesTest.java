package dev.driftless.templates;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PomDependenciesTest {

    @Test
    void readsDependenciesWithScopesPropertiesAndExclusions(@TempDir Path dir) throws Exception {
        Path pom = Files.writeString(dir.resolve("pom.xml"), """
                <project>
                  <groupId>g</groupId><artifactId>fn</artifactId><version>1</version>
                  <properties><lang3.version>3.14.0</lang3.version></properties>
                  <dependencies>
                    <dependency><groupId>org.apache.commons</groupId><artifactId>commons-lang3</artifactId><version>${lang3.version}</version></dependency>
                    <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>42.7.14</version><scope>runtime</scope>
                      <exclusions><exclusion><groupId>org.checkerframework</groupId><artifactId>checker-qual</artifactId></exclusion></exclusions></dependency>
                    <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><version>5.14.1</version><scope>test</scope></dependency>
                  </dependencies>
                </project>
                """);
        List<JavaDependency> deps = PomDependencies.parse(pom);
        assertEquals(List.of("org.apache.commons:commons-lang3:3.14.0 COMPILE", "org.postgresql:postgresql:42.7.14 RUNTIME",
                "org.junit.jupiter:junit-jupiter:5.14.1 TEST"), deps.stream().map(d -> d.coordinates() + " " + d.scope()).toList());
        assertEquals(List.of("org.checkerframework:checker-qual"), deps.get(1).exclusions());
    }

    @Test
    void reportsInheritedVersionsOtherRepositoriesAndSystemScope(@TempDir Path dir) throws Exception {
        Path pom = Files.writeString(dir.resolve("pom.xml"), """
                <project>
                  <repositories><repository><id>x</id><url>https://jitpack.io</url></repository></repositories>
                  <dependencies>
                    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter</artifactId></dependency>
                    <dependency><groupId>a</groupId><artifactId>b</artifactId><version>1</version><scope>system</scope></dependency>
                  </dependencies>
                </project>
                """);
        TemplateException e = assertThrows(TemplateException.class, () -> PomDependencies.parse(pom));
        assertTrue(e.getMessage().contains("repository https://jitpack.io is not supported"), e.getMessage());
        assertTrue(e.getMessage().contains("dependency org.springframework.boot:spring-boot-starter has no version"), e.getMessage());
        assertTrue(e.getMessage().contains("scope system is not supported"), e.getMessage());
    }

    @Test
    void refusesDoctypes(@TempDir Path dir) throws Exception {
        Path pom = Files.writeString(dir.resolve("pom.xml"), """
                <?xml version="1.0"?>
                <!DOCTYPE project [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <project><dependencies><dependency><groupId>&x;</groupId></dependency></dependencies></project>
                """);
        TemplateException e = assertThrows(TemplateException.class, () -> PomDependencies.parse(pom));
        assertTrue(e.getMessage().startsWith("pom.xml is not valid XML"), e.getMessage());
    }
}
