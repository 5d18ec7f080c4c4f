package dev.codex4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.CodexCliNotFoundException;
import dev.codex4j.errors.CodexException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodexCliTest {
    @TempDir Path tmp;

    private static final String ARCH_PKG = System.getProperty("os.arch").contains("aarch64") ? "arm64" : "x64";
    private static final String TRIPLE = (System.getProperty("os.arch").contains("aarch64") ? "aarch64" : "x86_64")
            + "-unknown-linux-musl";

    private Path executable(Path p, String content) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    /** Lays out an npm install: node_modules/.bin/codex -> @openai/codex/bin/codex.js plus the native package. */
    private Path npmInstall(Path root) throws IOException {
        Path wrapper = executable(root.resolve("node_modules/@openai/codex/bin/codex.js"), "#!/usr/bin/env node\n");
        Path nativeBin = executable(root.resolve("node_modules/@openai/codex-linux-" + ARCH_PKG + "/vendor/" + TRIPLE
                + "/bin/codex"), "\u007fELF");
        Files.createDirectories(root.resolve("node_modules/.bin"));
        Files.createSymbolicLink(root.resolve("node_modules/.bin/codex"), wrapper);
        return nativeBin.toRealPath();
    }

    @Test
    void pinnedVersionComesFromTheRepoFile() throws IOException {
        Path file = Path.of(System.getProperty("codex4j.repo.root", ".."), "codex-cli.version");
        assertEquals(Files.readString(file).trim(), CodexCli.pinnedVersion());
    }

    @Test
    void explicitPathWinsOverEverything() throws IOException {
        Path explicit = executable(tmp.resolve("mine/codex"), "\u007fELF");
        Path env = executable(tmp.resolve("env/codex"), "\u007fELF");
        assertEquals(explicit.toRealPath(), CodexCli.locate(explicit, Map.of(CodexCli.PATH_ENV, env.toString()), tmp));
    }

    @Test
    void environmentVariableComesBeforeTheCache() throws IOException {
        Path env = executable(tmp.resolve("env/codex"), "\u007fELF");
        npmInstall(tmp.resolve(".cache/codex4j/codex-" + CodexCli.pinnedVersion()));
        assertEquals(env.toRealPath(), CodexCli.locate(null, Map.of(CodexCli.PATH_ENV, env.toString()), tmp));
    }

    @Test
    void pinnedCacheIsFoundUnderHome() throws IOException {
        Path nativeBin = npmInstall(tmp.resolve(".cache/codex4j/codex-" + CodexCli.pinnedVersion()));
        assertEquals(nativeBin, CodexCli.locate(null, Map.of("PATH", ""), tmp).toRealPath());
    }

    @Test
    void anotherCachedVersionIsChosenByItsEnvironmentVariable() throws IOException {
        npmInstall(tmp.resolve(".cache/codex4j/codex-" + CodexCli.pinnedVersion()));
        Path other = npmInstall(tmp.resolve(".cache/codex4j/codex-0.169.0"));
        assertEquals(other, CodexCli.locate(null, Map.of(CodexCli.VERSION_ENV, "0.169.0", "PATH", ""), tmp).toRealPath());
        Path env = executable(tmp.resolve("env/codex"), "\u007fELF");
        assertEquals(env.toRealPath(), CodexCli.locate(null,
                Map.of(CodexCli.VERSION_ENV, "0.169.0", CodexCli.PATH_ENV, env.toString()), tmp), "an explicit binary wins");
    }

    @Test
    void anAskedForVersionThatIsNotCachedIsNamedNeverReplacedByThePinnedOne() throws IOException {
        npmInstall(tmp.resolve(".cache/codex4j/codex-" + CodexCli.pinnedVersion()));
        CodexCliNotFoundException e = assertThrows(CodexCliNotFoundException.class,
                () -> CodexCli.locate(null, Map.of(CodexCli.VERSION_ENV, "0.163.0", "PATH", "", CodexCli.DOWNLOAD_ENV, "false"), tmp));
        assertTrue(e.getMessage().contains("codex-cli 0.163.0") && e.getMessage().contains("codex-0.163.0"), e.getMessage());
    }

    @Test
    void npmWrapperOnPathResolvesToTheNativeBinary() throws IOException {
        Path nativeBin = npmInstall(tmp.resolve("global"));
        Path bin = tmp.resolve("global/node_modules/.bin");
        assertEquals(nativeBin, CodexCli.locate(null, Map.of("PATH", bin.toString()), tmp.resolve("nohome")));
    }

    @Test
    void missingBinarySaysHowToInstall() {
        CodexCliNotFoundException e = assertThrows(CodexCliNotFoundException.class,
                () -> CodexCli.locate(null, Map.of("PATH", tmp.toString(), CodexCli.DOWNLOAD_ENV, "false"), tmp));
        assertTrue(e.getMessage().contains("npm install -g @openai/codex@" + CodexCli.pinnedVersion()), e.getMessage());
        assertTrue(e.getMessage().contains(CodexCli.PATH_ENV), e.getMessage());
        assertTrue(e.getMessage().contains(CodexCli.pinnedVersion()), e.getMessage());
        assertTrue(e.getMessage().contains(CodexCli.DOWNLOAD_ENV + "=false")
                && e.getMessage().contains(CodexCli.DOWNLOAD_PROPERTY + "=true"), "says the download is off and how to turn it on: "
                + e.getMessage());
    }

    @Test
    void aMissingBinaryIsACodexExceptionLikeEverythingTheSdkThrows() {
        CodexException e = assertThrows(CodexException.class,
                () -> CodexCli.locate(null, Map.of("PATH", tmp.toString(), CodexCli.DOWNLOAD_ENV, "false"), tmp));
        assertTrue(e instanceof CodexCliNotFoundException, e.toString());
    }

    @Test
    void explicitWrapperWithoutNativeBinaryIsAClearError() throws IOException {
        Path wrapper = executable(tmp.resolve("lonely/bin/codex.js"), "#!/usr/bin/env node\n");
        CodexCliNotFoundException e = assertThrows(CodexCliNotFoundException.class,
                () -> CodexCli.locate(wrapper, Map.of(), tmp));
        assertTrue(e.getMessage().contains("wrapper"), e.getMessage());
    }

    @Test
    void anExplicitShellScriptIsRunAsIs() throws IOException {
        Path script = executable(tmp.resolve("fake/codex"), "#!/bin/sh\nexec true\n");
        assertEquals(script.toRealPath(), CodexCli.locate(script, Map.of(), tmp));
    }
}
