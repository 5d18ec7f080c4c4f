package dev.codex4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a release would publish, exactly: every module's deploy plugin staged its artifacts into
 * {@code <module>/target/release-staging} during this build ({@code stage-release-artifacts} in the
 * parent POM: {@code invoker:install} of the module's POM, artifact and attached artifacts, skipped
 * by {@code maven.deploy.skip} like the deploy plugin), and the union of those staging repositories
 * must hold exactly the published modules, each with exactly its POM, jar, sources and javadoc.
 * (The staging also copies a module's reactor and third-party dependencies, so a published module
 * that depended on an unpublished one would show here.)
 */
class ReleaseArtifactsIT {
    private static final Path ROOT = Path.of(System.getProperty("codex4j.repo.root", ".."));
    private static final String VERSION = System.getProperty("codex4j.version");
    private static final Set<String> JAR_MODULE = Set.of(".pom", ".jar", "-sources.jar", "-javadoc.jar");
    private static final Map<String, Set<String>> PUBLISHED = Map.of(
            "codex4j-parent", Set.of(".pom"),
            "codex4j-bom", Set.of(".pom"),
            "codex4j-core", JAR_MODULE,
            "codex4j-runtime", JAR_MODULE,
            "codex4j-api", JAR_MODULE,
            "codex4j-testkit", JAR_MODULE,
            "codex4j-jdbc", JAR_MODULE,
            "codex4j-opentelemetry", JAR_MODULE,
            "codex4j-micrometer", JAR_MODULE,
            "codex4j-spring-boot-starter", JAR_MODULE);

    private static Map<String, Set<String>> staged;
    private static Map<String, Path> files;

    @BeforeAll
    static void readStaging() throws IOException {
        assumeTrue(Files.isDirectory(ROOT.resolve("target/release-staging")),
                "run from the root (mvn verify): the parent's staging is missing");
        staged = new TreeMap<>();
        files = new TreeMap<>();
        String base = VERSION.replace("-SNAPSHOT", "");
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : (Iterable<Path>) Stream.concat(Stream.of(ROOT), modules.filter(Files::isDirectory))::iterator) {
                Path repo = module.resolve("target/release-staging/dev/codex4j");
                if (!Files.isDirectory(repo)) {
                    continue;
                }
                try (Stream<Path> all = Files.walk(repo)) {
                    for (Path f : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                        String name = f.getFileName().toString();
                        if (name.startsWith("maven-metadata") || name.startsWith("_") || name.endsWith(".properties")
                                || name.matches(".*\\.(md5|sha1|sha256|sha512|lastUpdated)$")) {
                            continue;
                        }
                        String artifactId = repo.relativize(f).getName(0).toString();
                        Matcher m = Pattern.compile(Pattern.quote(artifactId + "-" + base)
                                + "(?:-SNAPSHOT|-\\d{8}\\.\\d{6}-\\d+)?(.*)").matcher(name);
                        assertTrue(m.matches(), "unexpected file name " + f);
                        staged.computeIfAbsent(artifactId, k -> new TreeSet<>()).add(m.group(1));
                        files.put(artifactId + m.group(1), f);
                    }
                }
            }
        }
    }

    @Test
    void exactlyThePublishedModulesAndTheirArtifactsAreStaged() {
        Map<String, Set<String>> expected = new TreeMap<>();
        PUBLISHED.forEach((k, v) -> expected.put(k, new TreeSet<>(v)));
        assertEquals(expected, staged, "bench, reliability and examples must not be published; the others with pom, jar, sources, javadoc");
    }

    @Test
    void jarsCarryLicenseNoticeSourcesAndJavadoc() throws IOException {
        for (String module : List.of("codex4j-core", "codex4j-runtime", "codex4j-api", "codex4j-testkit", "codex4j-jdbc", "codex4j-opentelemetry")) {
            try (ZipFile jar = new ZipFile(files.get(module + ".jar").toFile())) {
                assertTrue(jar.getEntry("META-INF/LICENSE") != null && jar.getEntry("META-INF/NOTICE") != null, module);
                assertTrue(jar.getEntry("module-info.class") != null, module);
            }
            try (ZipFile jar = new ZipFile(files.get(module + "-sources.jar").toFile())) {
                assertTrue(jar.stream().anyMatch(e -> e.getName().endsWith(".java")), module + " sources");
            }
            try (ZipFile jar = new ZipFile(files.get(module + "-javadoc.jar").toFile())) {
                assertTrue(jar.getEntry("index.html") != null && jar.getEntry("element-list") != null, module + " javadoc");
            }
        }
    }

    @Test
    void pomsHaveWhatMavenCentralRequires() throws IOException {
        for (String standalone : List.of("codex4j-parent", "codex4j-bom")) {
            String pom = Files.readString(files.get(standalone + ".pom"), StandardCharsets.UTF_8);
            for (String element : List.of("name", "description", "url", "licenses", "developers", "scm")) {
                assertTrue(Pattern.compile("<" + element + "[\\s>]").matcher(pom).find(), standalone + " lacks " + element);
            }
        }
        for (String module : List.of("codex4j-core", "codex4j-runtime", "codex4j-api", "codex4j-testkit", "codex4j-jdbc", "codex4j-opentelemetry")) {
            String pom = Files.readString(files.get(module + ".pom"), StandardCharsets.UTF_8);
            assertTrue(pom.contains("<name>") && pom.contains("<description>"), module);
            assertTrue(pom.contains("<artifactId>codex4j-parent</artifactId>"), module + " inherits the rest");
            assertTrue(Pattern.compile("<artifactId>jspecify</artifactId>\\s*(<!--.*?-->\\s*)?<optional>true</optional>",
                    Pattern.DOTALL).matcher(pom).find(), module + ": jspecify must be optional");
        }
    }
}
