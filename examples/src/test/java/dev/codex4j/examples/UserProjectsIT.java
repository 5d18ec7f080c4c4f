package dev.codex4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Builds each project of a user of codex4j ({@code examples/projects/*} and {@code examples/src/it/*})
 * on its own with Maven, against the artifacts this build made (installed by {@code invoker:install}
 * into {@code target/it-repo}), and checks that its tests ran and passed: one on the class path, one
 * as a named module, and under the Spring Boot 3.5 and 4.0 BOMs.
 *
 * <p>The user builds run on the JDK this test runs on (the build's JDK >= 21), with the build's
 * local repository as a read-only mirror of Maven Central, so only what it lacks (Spring Boot)
 * is downloaded.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class UserProjectsIT {
    private static final Path EXAMPLES = Path.of(System.getProperty("codex4j.repo.root", ".."), "examples");
    private static final Path WORK = EXAMPLES.resolve("target/user-projects");

    static Stream<String> projects() throws IOException {
        List<String> names = new ArrayList<>();
        for (String dir : List.of("projects", "src/it")) {
            try (Stream<Path> s = Files.list(EXAMPLES.resolve(dir))) {
                s.filter(p -> Files.isRegularFile(p.resolve("pom.xml")))
                        .forEach(p -> names.add(EXAMPLES.relativize(p).toString()));
            }
        }
        names.sort(Comparator.naturalOrder());
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("projects")
    void buildsOnItsOwnAndItsTestsPass(String project) throws Exception {
        Path copy = WORK.resolve(project);
        deleteTree(copy);
        copyTree(EXAMPLES.resolve(project), copy);
        Path log = copy.resolve("build.log");
        ProcessBuilder build = new ProcessBuilder(maven(), "-B", "-e", "-ntp",
                "-s", settings().toString(),
                "-Dmaven.repo.local=" + System.getProperty("codex4j.it.repo"),
                "-Dcodex4j.version=" + System.getProperty("codex4j.version"),
                "verify")
                .directory(copy.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        build.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = build.start();
        assertTrue(p.waitFor(8, TimeUnit.MINUTES), project + " did not finish; see " + log);
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), project + " failed; the end of " + log + ":\n" + tail(out, 80));
        Matcher m = Pattern.compile("Tests run: (\\d+), Failures: 0, Errors: 0, Skipped: 0\\s*$", Pattern.MULTILINE)
                .matcher(out);
        int run = 0;
        while (m.find()) {
            run = Integer.parseInt(m.group(1));
        }
        assertTrue(run > 0, project + " ran no test; see " + log);
    }

    private static String maven() {
        return Path.of(System.getProperty("codex4j.it.maven.home"), "bin", "mvn").toString();
    }

    /** The build's local repository as a mirror of Central for releases; snapshots only from ours. */
    private static Path settings() throws IOException {
        Path settings = WORK.resolve("settings.xml");
        String outer = Path.of(System.getProperty("codex4j.it.outer.repo")).toUri().toString();
        String repos = """
                <repository>
                  <id>build-local-repository</id>
                  <url>%s</url>
                  <releases><enabled>true</enabled></releases>
                  <snapshots><enabled>false</enabled></snapshots>
                </repository>""".formatted(outer);
        Files.createDirectories(WORK);
        Files.writeString(settings, """
                <settings>
                  <profiles>
                    <profile>
                      <id>build-local-repository</id>
                      <repositories>%s</repositories>
                      <pluginRepositories>%s</pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>build-local-repository</activeProfile></activeProfiles>
                </settings>
                """.formatted(repos, repos.replace("repository>", "pluginRepository>")));
        return settings;
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", List.of(all).subList(Math.max(0, all.length - lines), all.length));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path rel = from.relativize(p);
                if (rel.startsWith("target")) {
                    continue;
                }
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
