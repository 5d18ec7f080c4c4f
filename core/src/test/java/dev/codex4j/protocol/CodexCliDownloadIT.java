package dev.codex4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.internal.install.CliInstaller;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing, without Node.js: {@link CodexCli#locate} installs the pinned CLI (or the version
 * named by {@code CODEX4J_CODEX_VERSION}) from the real npm registry (or the mirror in
 * {@code CODEX4J_NPM_REGISTRY}) into an empty cache, and the binary runs. Skipped, with the reason,
 * when the registry cannot be reached.
 */
class CodexCliDownloadIT {
    @Test
    void theCliIsInstalledFromTheNpmRegistryIntoAnEmptyCacheAndRuns(@TempDir Path tmp) throws Exception {
        String registry = CliInstaller.setting(System::getProperty, System.getenv(), CodexCli.REGISTRY_PROPERTY,
                CodexCli.REGISTRY_ENV).orElse(CodexCli.DEFAULT_REGISTRY);
        String asked = System.getenv(CodexCli.VERSION_ENV);
        String version = asked != null && !asked.isBlank() ? asked.trim() : CodexCli.pinnedVersion();
        String spec = version + "-" + CliInstaller.Platform.current().npmSuffix();
        URI metadata = URI.create((registry.endsWith("/") ? registry : registry + "/") + "@openai%2fcodex/" + spec);
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            http.send(HttpRequest.newBuilder(metadata).timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            Assumptions.abort("the npm registry " + registry + " cannot be reached (" + e
                    + "): the real download of @openai/codex@" + spec + " is not tested here");
        }

        Path binary = CodexCli.locate(null, Map.of(CodexCli.CACHE_ENV, tmp.resolve("cache").toString(),
                CodexCli.REGISTRY_ENV, registry, CodexCli.VERSION_ENV, version, "PATH", ""), tmp);

        assertTrue(binary.startsWith(tmp.resolve("cache/codex-" + version)), binary.toString());
        Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "codex --version answers");
        assertEquals("codex-cli " + version, new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
    }
}
