package dev.codex4j.testkit;

import dev.codex4j.protocol.AppServerLaunch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * A {@link FakeAppServer} script ready to run as a child process, so that a client's real stdio
 * transport (process start, pipes, exit codes) is exercised. Each process started from it runs the
 * same script; all of them append what their client sent to one record.
 *
 * <pre>{@code
 * try (FakeAppServerProcess fake = FakeAppServer.childProcess(FakeAppServer.script()
 *         .onRequest("thread/start", ScriptStep.exit(3)))) {
 *     Codex codex = Codex.builder().launch(fake.launch()).build();   // or new ProcessBuilder(fake.command())
 *     ...
 *     assertEquals(1, fake.requests("thread/start").size());
 * }
 * }</pre>
 */
public final class FakeAppServerProcess implements AutoCloseable {
    private static final String MAIN = "dev.codex4j.testkit.FakeAppServerMain";

    private final Path dir;
    private final Path record;
    private final Path argv;
    private final Path executable;
    private final List<String> command;

    private FakeAppServerProcess(Path dir, Path record, Path argv, Path executable, List<String> command) {
        this.dir = dir;
        this.record = record;
        this.argv = argv;
        this.executable = executable;
        this.command = command;
    }

    static FakeAppServerProcess create(FakeAppServer.Script script) {
        String json = Json.write(script.toJson());
        Path dir = null;
        try {
            dir = Files.createTempDirectory("codex4j-fake-app-server-").toRealPath();
            Path scriptFile = dir.resolve("script.json");
            Files.writeString(scriptFile, json, StandardCharsets.UTF_8);
            Path record = Files.createFile(dir.resolve("received.jsonl"));
            Path argv = dir.resolve("argv.txt");
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> cmd = List.of(java.toString(), "-Xshare:auto", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "-cp", classPath(), MAIN, scriptFile.toString(), record.toString(),
                    argv.toString());
            Path exe = dir.resolve("codex");
            // No "#!" line on purpose: CodexCli.locate takes any shebang file for an npm node wrapper
            // and rejects it. Without one, execvp (which ProcessBuilder uses) runs it with /bin/sh.
            StringBuilder sh = new StringBuilder("# codex4j FakeAppServer launcher (run by /bin/sh)\nexec");
            for (String c : cmd) {
                sh.append(' ').append(shellQuote(c));
            }
            sh.append(" \"$@\"\n");
            Files.writeString(exe, sh.toString(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwx------"));
            return new FakeAppServerProcess(dir, record, argv, exe, cmd);
        } catch (IOException e) {
            if (dir != null) {
                OfflineCodex.deleteTree(dir);
            }
            throw new UncheckedIOException("cannot prepare the fake app-server process", e);
        }
    }

    /**
     * @return launch settings whose executable is a shell script that execs the fake's JVM (the
     *     {@code app-server -c ...} arguments a client appends are accepted and recorded)
     */
    public AppServerLaunch launch() {
        return AppServerLaunch.defaults().withExecutable(executable).withWorkingDirectory(dir);
    }

    /** @return the java command line that runs the fake, for {@link ProcessBuilder} */
    public List<String> command() {
        return command;
    }

    /** @return starts one fake process with {@link #command()} (stderr goes to a file in its directory) */
    public Process start() {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("stderr.txt").toFile()));
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the fake app-server", e);
        }
    }

    /** @return every line the clients sent so far */
    public List<String> receivedLines() {
        try {
            return Files.readAllLines(record, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return every JSON message the clients sent so far (lines that were not JSON left out) */
    public List<JsonNode> received() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : receivedLines()) {
            JsonNode n = RecordedRequest.parseBody(line);
            if (!n.isMissingNode()) {
                out.add(n);
            }
        }
        return out;
    }

    /** @return the messages the clients sent with this method */
    public List<JsonNode> requests(String method) {
        return received().stream().filter(m -> method.equals(m.path("method").asString(""))).toList();
    }

    /** @return the arguments the last started fake process got after its own (e.g. {@code app-server -c k=v}) */
    public List<String> arguments() {
        try {
            return Files.exists(argv) ? Files.readAllLines(argv, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the directory holding the script, the record and the launcher */
    public Path directory() {
        return dir;
    }

    /** Ends fake processes of this handle that are still running, and deletes its files. */
    @Override
    public void close() {
        String marker = dir.toString();
        ProcessHandle.current().descendants()
                .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(marker)).orElse(false))
                .forEach(h -> {
                    h.destroy();
                    try {
                        h.onExit().get(3, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        h.destroyForcibly();
                    }
                });
        OfflineCodex.deleteTree(dir);
    }

    private static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(FakeAppServerProcess.class, tools.jackson.databind.json.JsonMapper.class,
                tools.jackson.core.JsonParser.class, com.fasterxml.jackson.annotation.JsonProperty.class,
                AppServerLaunch.class)) {
            CodeSource src = c.getProtectionDomain().getCodeSource();
            if (src != null && src.getLocation() != null) {
                try {
                    entries.add(Path.of(src.getLocation().toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    // Not a file location: fall back to the class path below.
                }
            }
        }
        String cp = System.getProperty("java.class.path", "");
        if (!cp.isEmpty()) {
            entries.add(cp);
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
