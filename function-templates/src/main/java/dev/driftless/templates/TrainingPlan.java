package dev.driftless.templates;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A build plan on a built-in class and its JUnit test, shaped like a function's build (javac, javac tests,
 * the console launcher): what the build JVM's class-data archive is trained on and what a standby build JVM
 * warms up on. Never a tenant's code, so nothing of one function's build reaches another's.
 */
final class TrainingPlan {
    private TrainingPlan() {
    }

    /** Writes the sources, argument files and plan into {@code work}; the plan file. */
    static Path write(Path work, Path console) throws IOException {
        Path src = Files.createDirectories(work.resolve("src/main/java/training"));
        Path test = Files.createDirectories(work.resolve("src/test/java/training"));
        Files.writeString(src.resolve("Greeting.java"), """
                package training;
                public class Greeting {
                    public String greet(String name) { return "Hello, " + name + "!"; }
                }
                """, StandardCharsets.UTF_8);
        Files.writeString(test.resolve("GreetingTest.java"), """
                package training;
                import static org.junit.jupiter.api.Assertions.assertEquals;
                import org.junit.jupiter.api.Test;
                class GreetingTest {
                    @Test
                    void greets() { assertEquals("Hello, Ada!", new Greeting().greet("Ada")); }
                }
                """, StandardCharsets.UTF_8);
        Path classes = Files.createDirectories(work.resolve("classes"));
        Path testClasses = Files.createDirectories(work.resolve("test-classes"));
        String javacFlags = "\"--release\"\n\"17\"\n\"-encoding\"\n\"UTF-8\"\n\"-implicit:none\"\n\"-proc:none\"\n";
        Files.writeString(work.resolve("main.txt"), javacFlags + "\"-d\"\n\"" + classes + "\"\n\"" + src.resolve("Greeting.java") + "\"\n");
        Files.writeString(work.resolve("tests.txt"), javacFlags + "\"-d\"\n\"" + testClasses + "\"\n\"-cp\"\n\"" + classes + ":" + console
                + "\"\n\"" + test.resolve("GreetingTest.java") + "\"\n");
        Files.writeString(work.resolve("junit.txt"), String.join("\n", "execute", "--disable-banner", "--disable-ansi-colors",
                "--details=tree", "--class-path", testClasses + ":" + classes, "--scan-class-path", testClasses.toString()) + "\n");
        return Files.writeString(work.resolve("plan.txt"), "javac\tmain\t" + work.resolve("main.txt") + "\n"
                + "javac\ttests\t" + work.resolve("tests.txt") + "\n"
                + "junit\t" + console + "\t60000\t" + work.resolve("junit.txt") + "\n");
    }
}
