package dev.codex4j.protocol.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.CodexCli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vendored schema is what the pinned CLI (codex-cli.version) generates: bumping the version
 * without running {@code scripts/regenerate-protocol} fails the build here. Run against another
 * binary (CODEX4J_CODEX_PATH, or {@code -Dcodex.version}), a failure names that binary's version.
 */
class SchemaMatchesPinnedCliIT {
    static final Path SCHEMA = Path.of("src/main/schema");

    @Test
    void vendoredSchemaIsWhatThePinnedCliGenerates(@TempDir Path tmp) throws Exception {
        Path codex = CodexCli.locate(null);
        generate(codex, tmp.resolve("stable"), false);
        generate(codex, tmp.resolve("experimental"), true);

        List<String> differences = new ArrayList<>();
        compare(tmp.resolve("stable"), SCHEMA.resolve("stable"), differences, false);
        compare(tmp.resolve("experimental"), SCHEMA.resolve("experimental"), differences, true);
        String version = version(codex);
        assertEquals(List.of(), differences, "vendored schema (of the pinned codex-cli " + CodexCli.pinnedVersion()
                + ") differs from what " + version + " at " + codex + " generates"
                + (version.equals("codex-cli " + CodexCli.pinnedVersion())
                        ? "; run scripts/regenerate-protocol"
                        : "; this binary is not the pinned version (CODEX4J_CODEX_PATH, CODEX4J_CODEX_VERSION or"
                                + " -Dcodex.version chose it), so a difference is expected"));
    }

    /** What the binary itself says, for example {@code codex-cli 0.171.0}. */
    static String version(Path codex) throws Exception {
        Process p = new ProcessBuilder(codex.toString(), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "codex --version finished");
        return out.isEmpty() ? "an unknown version" : out;
    }

    private static void generate(Path codex, Path out, boolean experimental) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(codex.toString(), "app-server", "generate-json-schema"));
        if (experimental) {
            cmd.add("--experimental");
        }
        cmd.addAll(List.of("--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "generate-json-schema finished");
        assertEquals(0, p.exitValue(), "generate-json-schema exit code");
    }

    /** Every vendored file equals the fresh one; with all=true no fresh top-level or v1 file is missing. */
    private static void compare(Path fresh, Path vendored, List<String> differences, boolean all) throws IOException {
        TreeSet<String> vendoredFiles = relativeJsonFiles(vendored);
        assertTrue(vendoredFiles.size() >= 5, "vendored files in " + vendored);
        for (String f : vendoredFiles) {
            Path n = fresh.resolve(f);
            if (!Files.exists(n)) {
                differences.add(vendored.resolve(f) + ": no longer generated");
            } else if (!Files.readString(n).equals(Files.readString(vendored.resolve(f)))) {
                differences.add(vendored.resolve(f) + ": differs");
            }
        }
        if (all) {
            for (String f : relativeJsonFiles(fresh)) {
                boolean vendoredKind = !f.startsWith("v2/") && !f.equals("codex_app_server_protocol.schemas.json");
                if (vendoredKind && !vendoredFiles.contains(f)) {
                    differences.add(vendored.resolve(f) + ": new file, not vendored");
                }
            }
        }
    }

    private static TreeSet<String> relativeJsonFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            TreeSet<String> names = new TreeSet<>();
            s.filter(p -> p.toString().endsWith(".json"))
                    .forEach(p -> names.add(dir.relativize(p).toString().replace('\\', '/')));
            return names;
        }
    }
}
