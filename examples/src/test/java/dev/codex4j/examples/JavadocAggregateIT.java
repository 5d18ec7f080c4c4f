package dev.codex4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code mvn javadoc:aggregate} over the published modules works, without warnings (the build
 * fails on any), and links across modules, to the JDK and to Jackson. Run with Maven on the JDK
 * this test runs on (>= 21): Maven on JDK 17 cannot read the modules' release-21 descriptors that
 * the goal's forked compile leaves.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class JavadocAggregateIT {
    private static final Path ROOT = Path.of(System.getProperty("codex4j.repo.root", ".."));

    @Test
    void aggregateJavadocBuildsCrossLinked() throws Exception {
        Path log = ROOT.resolve("examples/target/javadoc-aggregate.log");
        Path docs = ROOT.resolve("target/reports/apidocs");
        // The plugin skips a run whose inputs look unchanged: make it run, so that warnings show.
        Files.deleteIfExists(ROOT.resolve("target/maven-javadoc-plugin-stale-data.txt"));
        deleteTree(docs);
        ProcessBuilder build = new ProcessBuilder(
                Path.of(System.getProperty("codex4j.it.maven.home"), "bin", "mvn").toString(),
                "-B", "-o", "-ntp", "-Dcodex.install.skip",
                "-Dmaven.repo.local=" + System.getProperty("codex4j.it.outer.repo"),
                // Fully qualified: an offline build cannot look the "javadoc:" prefix up.
                "org.apache.maven.plugins:maven-javadoc-plugin:" + System.getProperty("codex4j.javadoc.plugin.version")
                        + ":aggregate")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        build.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = build.start();
        assertTrue(p.waitFor(4, TimeUnit.MINUTES), "javadoc:aggregate did not finish; see " + log);
        String text = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "javadoc:aggregate failed; see " + log + "\n"
                + String.join("\n", text.lines().filter(l -> l.contains("ERROR") || l.contains("warning")).limit(40).toList()));

        for (String module : List.of("dev.codex4j", "dev.codex4j.core", "dev.codex4j.testkit")) {
            assertTrue(Files.isDirectory(docs.resolve(module)), module + " in " + docs);
        }
        assertFalse(Files.exists(docs.resolve("dev.codex4j.bench")));
        String failed = Files.readString(docs.resolve("dev.codex4j/dev/codex4j/TurnHandle.html"));
        assertTrue(failed.contains("href=\"../../../dev.codex4j.core/dev/codex4j/errors/TurnFailedException.html\""), "cross-module link");
        String error = Files.readString(docs.resolve("dev.codex4j/dev/codex4j/TurnOptions.html"));
        assertTrue(error.contains("https://javadoc.io/doc/tools.jackson.core/jackson-databind/"), "Jackson link");
        assertTrue(error.contains("https://docs.oracle.com/en/java/javase/21/docs/api/"), "JDK link");
        assertTrue(error.contains("Licensed under the") && !error.contains("All rights reserved"), "footer");
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }
}
