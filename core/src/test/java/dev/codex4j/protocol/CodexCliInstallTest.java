package dev.codex4j.protocol;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.errors.CodexCliInstallException;
import dev.codex4j.errors.CodexCliNotFoundException;
import dev.codex4j.protocol.internal.install.CliInstaller;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The install of a missing CLI from an npm registry (a fake one on loopback, serving archives built
 * here), through {@link CodexCli#locate}: what lands where, and that nothing runnable is left when
 * the download or the archive is bad.
 */
class CodexCliInstallTest {
    private static final String VERSION = "0.0.1";
    private static final CliInstaller.Platform PLATFORM = CliInstaller.Platform.current();
    private static final String SPEC = VERSION + "-" + PLATFORM.npmSuffix();
    private static final String BIN = "package/vendor/" + PLATFORM.triple() + "/bin/codex";

    @TempDir Path tmp;
    private FakeNpmRegistry registry;
    private Path cache;

    @BeforeEach
    void start() throws IOException {
        registry = new FakeNpmRegistry();
        cache = tmp.resolve("cache");
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static FakeNpmRegistry.Tgz codexPackage() {
        return new FakeNpmRegistry.Tgz()
                .dir("package/")
                .file("package/package.json", 0644, "{\"name\":\"@openai/codex\",\"version\":\"" + SPEC + "\"}")
                .file(BIN, 0755, "#!/bin/sh\necho 'codex-cli " + VERSION + "'\n")
                .file("package/vendor/" + PLATFORM.triple() + "/codex-resources/notes.txt", 0644, "not executable")
                .symlink("package/vendor/" + PLATFORM.triple() + "/codex-path/codex", "../bin/codex");
    }

    private Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>(Map.of(CodexCli.CACHE_ENV, cache.toString(),
                CodexCli.REGISTRY_ENV, registry.url(), CodexCli.VERSION_ENV, VERSION, "PATH", ""));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private Path expectedBinary() {
        return CliInstaller.binaryIn(cache.resolve("codex-" + VERSION), PLATFORM);
    }

    private static String run(Path binary) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }

    /** Nothing under the cache but the lock file: no version directory, no temporary leftovers. */
    private void assertNothingInstalled() throws IOException {
        assertFalse(Files.exists(cache.resolve("codex-" + VERSION)), "no version directory");
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(List.of("codex-" + VERSION + ".lock"), s.map(p -> p.getFileName().toString()).toList());
        }
        CodexCliNotFoundException e = assertThrows(CodexCliNotFoundException.class,
                () -> CodexCli.locate(null, env(CodexCli.DOWNLOAD_ENV, "false"), tmp));
        assertTrue(e.getMessage().contains("not in the cache"), e.getMessage());
    }

    @Test
    void aMissingCliIsDownloadedVerifiedAndUnpackedInNpmsLayoutOnce() throws Exception {
        registry.publish(SPEC, codexPackage().gzip());

        Path binary = CodexCli.locate(null, env(), tmp);

        assertEquals(expectedBinary(), binary);
        assertEquals("codex-cli " + VERSION, run(binary), "the unpacked binary runs");
        Path vendor = binary.getParent().getParent();
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ),
                Files.getPosixFilePermissions(vendor.resolve("codex-resources/notes.txt")), "no executable bit added");
        assertEquals(Path.of("../bin/codex"), Files.readSymbolicLink(vendor.resolve("codex-path/codex")));
        assertEquals(1, registry.tarballRequests.get());

        assertEquals(binary, CodexCli.locate(null, env(), tmp), "found in the cache the second time");
        assertEquals(1, registry.metadataRequests.get(), "installed once");
    }

    @Test
    void aTarballThatDoesNotMatchThePublishedIntegrityIsATypedErrorAndNeverRuns() throws Exception {
        byte[] tgz = codexPackage().gzip();
        registry.publish(SPEC, tgz, FakeNpmRegistry.sri("other bytes".getBytes(StandardCharsets.UTF_8)));

        CodexCliInstallException e = assertThrows(CodexCliInstallException.class, () -> CodexCli.locate(null, env(), tmp));

        assertTrue(e.getMessage().contains("does not match the registry's integrity"), e.getMessage());
        assertTrue(e.getMessage().contains(SPEC), e.getMessage());
        assertNothingInstalled();
    }

    @Test
    void aDownloadCutShortOfItsContentLengthIsATypedError() throws Exception {
        registry.publish(SPEC, codexPackage().gzip());
        registry.serve = FakeNpmRegistry.Serve.TRUNCATED_WITH_LENGTH;

        CodexCliInstallException e = assertThrows(CodexCliInstallException.class, () -> CodexCli.locate(null, env(), tmp));

        assertTrue(e.getMessage().contains("broke off") || e.getMessage().contains("truncated"), e.getMessage());
        assertNothingInstalled();
    }

    @Test
    void aDownloadCutShortWithoutAContentLengthFailsItsIntegrity() throws Exception {
        registry.publish(SPEC, codexPackage().gzip());
        registry.serve = FakeNpmRegistry.Serve.TRUNCATED_CHUNKED;

        CodexCliInstallException e = assertThrows(CodexCliInstallException.class, () -> CodexCli.locate(null, env(), tmp));

        assertTrue(e.getMessage().contains("integrity"), e.getMessage());
        assertNothingInstalled();
    }

    @Test
    void aDownloadThatStallsFailsAfterTheStallTimeout() throws Exception {
        registry.publish(SPEC, codexPackage().gzip());
        registry.serve = FakeNpmRegistry.Serve.STALL;
        CliInstaller installer = new CliInstaller(registry.url(), cache, PLATFORM,
                new CliInstaller.Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(700),
                        Duration.ofSeconds(5)), line -> {});

        CliInstaller.InstallFailure e = assertThrows(CliInstaller.InstallFailure.class, () -> installer.install(VERSION, false));

        assertTrue(e.getMessage().contains("stalled"), e.getMessage());
        assertNothingInstalled();
    }

    @Test
    void metadataWhoseBodyStallsFailsAfterTheResponseTimeout() throws Exception {
        registry.publish(SPEC, codexPackage().gzip());
        registry.stallMetadata = true;
        CliInstaller installer = new CliInstaller(registry.url(), cache, PLATFORM,
                new CliInstaller.Timeouts(Duration.ofSeconds(5), Duration.ofMillis(700), Duration.ofSeconds(5),
                        Duration.ofSeconds(5)), line -> {});

        CliInstaller.InstallFailure e = assertThrows(CliInstaller.InstallFailure.class, () -> installer.install(VERSION, false));

        assertTrue(e.getMessage().contains("no complete answer within"), e.getMessage());
        assertEquals(0, registry.tarballRequests.get());
    }

    @Test
    void anArchiveWithAnEntryOutsideThePackageIsRejectedWhole() throws Exception {
        Map<String, FakeNpmRegistry.Tgz> evil = new java.util.LinkedHashMap<>();
        evil.put("climbs out of the package", codexPackage().file("package/../../evil", 0755, "#!/bin/sh\n"));
        evil.put("absolute path", codexPackage().file("/tmp/codex4j-evil", 0755, "#!/bin/sh\n"));
        evil.put("symbolic link to '../../../..", codexPackage().symlink("package/vendor/escape", "../../../../.."));
        evil.put("symbolic link to '/", codexPackage().symlink("package/vendor/escape", "/etc"));
        evil.put("hard link", codexPackage().hardlink("package/vendor/hard", "/etc/passwd"));
        for (Map.Entry<String, FakeNpmRegistry.Tgz> c : evil.entrySet()) {
            registry.publish(SPEC, c.getValue().gzip());

            CodexCliInstallException e = assertThrows(CodexCliInstallException.class,
                    () -> CodexCli.locate(null, env(), tmp), c.getKey());

            assertTrue(e.getMessage().contains(c.getKey()), c.getKey() + ": " + e.getMessage());
            assertNothingInstalled();
        }
        assertFalse(Files.exists(tmp.resolve("evil")) || Files.exists(cache.resolve("evil"))
                || Files.exists(Path.of("/tmp/codex4j-evil")), "nothing written outside");
    }

    @Test
    void aFileCannotBeWrittenThroughALinkEvenOneInsideThePackageThatLeadsOut() throws Exception {
        // Each link looks inside on its own (up -> the package root, up2 -> up/..), but up2 really
        // leads to the package's parent: a file under it must not be written.
        registry.publish(SPEC, codexPackage().symlink("package/vendor/up", "..").symlink("package/vendor/up2", "up/..")
                .file("package/vendor/up2/escaped", 0644, "x").gzip());

        CodexCliInstallException e = assertThrows(CodexCliInstallException.class, () -> CodexCli.locate(null, env(), tmp));

        assertTrue(e.getMessage().contains("goes through a link outside the package"), e.getMessage());
        assertNothingInstalled();
    }

    @Test
    void anArchiveWithoutItsEndMarkerIsTruncated() throws Exception {
        registry.publish(SPEC, codexPackage().gzipWithoutEnd());

        CodexCliInstallException e = assertThrows(CodexCliInstallException.class, () -> CodexCli.locate(null, env(), tmp));

        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertNothingInstalled();
    }

    @Test
    void longNamesFromPaxHeadersAreHonoured() throws Exception {
        String deep = "package/vendor/" + PLATFORM.triple() + "/codex-resources/" + "d".repeat(120) + "/file.txt";
        registry.publish(SPEC, codexPackage().longFile(deep, 0644, "deep").gzip());

        Path binary = CodexCli.locate(null, env(), tmp);

        Path file = binary.getParent().getParent().resolve("codex-resources/" + "d".repeat(120) + "/file.txt");
        assertEquals("deep", Files.readString(file));
        assertFalse(Files.exists(binary.getParent().getParent().getParent().getParent().resolve("placeholder-name")));
    }

    @Test
    void aVersionTheRegistryDoesNotHaveIsATypedErrorNamingIt() throws Exception {
        CodexCliInstallException e = assertThrows(CodexCliInstallException.class, () -> CodexCli.locate(null, env(), tmp));

        assertTrue(e.getMessage().contains("404") && e.getMessage().contains(SPEC), e.getMessage());
        assertTrue(e.getMessage().contains(CodexCli.PATH_ENV), "says how to do without: " + e.getMessage());
    }

    @Test
    void anUnreachableRegistryIsATypedError() throws Exception {
        String dead = registry.url();
        registry.close();

        CodexCliInstallException e = assertThrows(CodexCliInstallException.class,
                () -> CodexCli.locate(null, env(CodexCli.REGISTRY_ENV, dead), tmp));

        assertTrue(e.getMessage().contains("cannot fetch the metadata"), e.getMessage());
    }

    @Test
    void withTheDownloadOffNothingIsFetchedAndTheMessageSaysWhatToDo() {
        registry.publish(SPEC, codexPackage().gzip());
        Map<String, String> env = env(CodexCli.DOWNLOAD_ENV, "false");
        env.remove(CodexCli.VERSION_ENV);
        env.put(CodexCli.CACHE_ENV, tmp.resolve("empty").toString());

        CodexCliNotFoundException e = assertThrows(CodexCliNotFoundException.class, () -> CodexCli.locate(null, env, tmp));

        assertEquals(0, registry.metadataRequests.get());
        assertTrue(e.getMessage().contains(CodexCli.DOWNLOAD_ENV + "=false"), e.getMessage());
        assertTrue(e.getMessage().contains(CodexCli.PATH_ENV), e.getMessage());
    }

    @Test
    void concurrentFirstStartsInOneJvmInstallOnce() throws Exception {
        registry.publish(SPEC, codexPackage().gzip());
        registry.tarballDelayMillis = 500; // the others arrive while the first downloads
        int n = 4;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Path>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                Callable<Path> c = () -> {
                    go.await();
                    return CodexCli.locate(null, env(), tmp);
                };
                results.add(pool.submit(c));
            }
            go.countDown();
            for (Future<Path> f : results) {
                assertEquals(expectedBinary(), f.get(30, TimeUnit.SECONDS));
            }
        }
        assertEquals(1, registry.tarballRequests.get(), "one download for " + n + " concurrent starts");
    }

    @Test
    void concurrentInstallsFromTwoJvmsInstallOnce() throws Exception {
        registry.publish(SPEC, codexPackage().gzip());
        Files.createDirectories(cache);
        Path classes = Path.of(CliInstaller.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> jvms = new ArrayList<>();
        List<Path> errs = new ArrayList<>();
        // This test holds the lock first, as a third process would, so that both JVMs meet it.
        try (FileChannel ch = FileChannel.open(cache.resolve("codex-" + VERSION + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock held = ch.lock();
            for (int i = 0; i < 2; i++) {
                Path err = tmp.resolve("jvm" + i + ".err");
                errs.add(err);
                jvms.add(new ProcessBuilder(java, "-cp", classes.toString(), CliInstaller.class.getName(),
                        "--registry", registry.url(), "--cache-root", cache.toString(), VERSION)
                        .redirectError(err.toFile()).start());
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> errs.stream().allMatch(e -> read(e)
                    .contains("waiting for another process that installs codex-cli " + VERSION)));
            assertEquals(0, registry.metadataRequests.get(), "nobody installs while the lock is held");
            held.release();
        }
        for (Process p : jvms) {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertEquals(0, p.exitValue(), read(errs.get(jvms.indexOf(p))));
            assertEquals(expectedBinary().toString(), out);
        }
        assertEquals(1, registry.tarballRequests.get(), "one download for two JVMs");
        assertEquals("codex-cli " + VERSION, run(expectedBinary()));
    }

    @Test
    void forceReplacesAnInstalledVersionAtomically() throws Exception {
        registry.publish(SPEC, codexPackage().gzip());
        Path binary = CodexCli.locate(null, env(), tmp);
        Files.writeString(binary, "#!/bin/sh\necho broken\n");
        CliInstaller installer = new CliInstaller(registry.url(), cache, PLATFORM, CliInstaller.Timeouts.defaults(),
                line -> {});

        assertEquals(binary, installer.install(VERSION, true));

        assertEquals("codex-cli " + VERSION, run(binary));
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(Set.of("codex-" + VERSION, "codex-" + VERSION + ".lock"),
                    Set.copyOf(s.map(p -> p.getFileName().toString()).toList()), "no leftovers");
        }
    }

    @Test
    void aVersionThatIsNotAVersionIsRefusedBeforeAnyRequest() {
        CliInstaller installer = new CliInstaller(registry.url(), cache, PLATFORM, CliInstaller.Timeouts.defaults(),
                line -> {});

        CliInstaller.InstallFailure e = assertThrows(CliInstaller.InstallFailure.class,
                () -> installer.install("../../etc", false));

        assertTrue(e.getMessage().contains("not a Codex CLI version"), e.getMessage());
        assertEquals(0, registry.metadataRequests.get());
        assertFalse(Files.exists(cache, LinkOption.NOFOLLOW_LINKS));
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }
}
