package dev.codex4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What the README promises stays true: its two commands, its versions, the user projects' versions. */
class ReadmeTest {
    private static final Path ROOT = Path.of(System.getProperty("codex4j.repo.root", ".."));
    private static final String VERSION = System.getProperty("codex4j.version");

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static String pin() throws IOException {
        return read(ROOT.resolve("codex-cli.version")).trim();
    }

    @Test
    void theQuickStartHasExactlyTwoCommandsAndCiRunsTheTestOne() throws IOException {
        String readme = read(ROOT.resolve("README.md"));
        Matcher block = Pattern.compile("```bash\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(block.find());
        List<String> commands = block.group(1).lines().map(l -> l.replaceAll("\\s+#.*", "").trim()).toList();
        assertEquals(List.of("scripts/example quickstart", "mvn -B verify"), commands);
        List<String> ci = read(ROOT.resolve(".ci/run")).lines().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("echo")).toList();
        assertEquals("mvn -B verify", ci.getLast());
    }

    @Test
    void everyCodex4jVersionInTheReadmeIsThisBuildsVersion() throws IOException {
        String readme = read(ROOT.resolve("README.md"));
        List<String> found = new ArrayList<>();
        Matcher xml = Pattern.compile("<artifactId>codex4j-[a-z]+</artifactId>\\s*<version>([^<]+)</version>").matcher(readme);
        while (xml.find()) {
            found.add(xml.group(1));
        }
        Matcher gradle = Pattern.compile("\"dev\\.codex4j:codex4j-[a-z]+:([^\"]+)\"").matcher(readme);
        while (gradle.find()) {
            found.add(gradle.group(1));
        }
        assertFalse(found.isEmpty());
        assertTrue(found.stream().allMatch(VERSION::equals), found + " should all be " + VERSION);
        assertFalse(readme.contains("${codex4j.version}"), "the README must give a real version");
    }

    @Test
    void everyCodexCliVersionInTheReadmeIsThePin() throws IOException {
        String pin = pin();
        String readme = read(ROOT.resolve("README.md"));
        Matcher npm = Pattern.compile("@openai/codex@([0-9][^\\s`)]*)").matcher(readme);
        int n = 0;
        while (npm.find()) {
            assertEquals(pin, npm.group(1));
            n++;
        }
        assertTrue(n > 0);
        assertTrue(readme.contains("this one: " + pin), "the Versions paragraph names the pin");
    }

    @Test
    void theUserProjectsUseThisBuildsVersionAndThePin() throws IOException {
        String pin = pin();
        for (String dir : List.of("examples/projects", "examples/src/it")) {
            try (Stream<Path> s = Files.list(ROOT.resolve(dir))) {
                for (Path pom : (Iterable<Path>) s.map(p -> p.resolve("pom.xml")).filter(Files::exists)::iterator) {
                    String text = read(pom);
                    assertTrue(text.contains("<codex4j.version>" + VERSION + "</codex4j.version>"), pom.toString());
                    Matcher npm = Pattern.compile("@openai/codex@([0-9][^\\s`)]*)").matcher(text);
                    while (npm.find()) {
                        assertEquals(pin, npm.group(1), pom.toString());
                    }
                }
            }
        }
    }
}
