package dev.codex4j.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The pinned Codex CLI: its version (the one this protocol was generated from) and where its
 * native binary is.
 *
 * <p>{@link #locate(Path)} searches, in order: the explicit path given, the environment variable
 * {@value #PATH_ENV}, the pinned cache that codex4j's {@code scripts/install-codex} fills (the
 * cache of the version named by {@value #VERSION_ENV} instead, when it is set), and
 * {@code codex} on {@code PATH} (where {@code npm install -g @openai/codex@<pinned version>} puts it). An npm {@code .bin/codex} node wrapper found anywhere is resolved to the native
 * binary inside its package, so that closing a client never orphans a grandchild process.
 *
 * <pre>{@code
 * Path codex = CodexCli.locate(null);   // throws CodexCliNotFoundException with install advice
 * }</pre>
 */
public final class CodexCli {
    /** Environment variable naming the Codex binary to use. */
    public static final String PATH_ENV = "CODEX4J_CODEX_PATH";
    /** Environment variable overriding the cache root ({@code ~/.cache/codex4j} by default). */
    public static final String CACHE_ENV = "CODEX4J_CACHE_DIR";
    /**
     * Environment variable naming another CLI version to take from the cache instead of the pinned
     * one ({@code CODEX4J_CODEX_VERSION=0.171.0}, as {@code scripts/install-codex} installs it):
     * how the build runs its integration tests against another CLI ({@code -Dcodex.version=...}).
     */
    public static final String VERSION_ENV = "CODEX4J_CODEX_VERSION";

    private static final String VERSION = readPinnedVersion();
    private static final List<String> OLDER = readOlderVersions();

    private final Map<String, String> env;
    private final Path home;
    private final String osName;
    private final String osArch;

    private CodexCli(Map<String, String> env, Path home, String osName, String osArch) {
        this.env = env;
        this.home = home;
        this.osName = osName;
        this.osArch = osArch;
    }

    /** @return the Codex CLI version this build is pinned to, for example {@code 0.169.0} */
    public static String pinnedVersion() {
        return VERSION;
    }

    /**
     * The older Codex CLI versions this build still supports (written in {@code
     * codex-cli.older-versions} at the repo root): its real-CLI tests run on them too, in a short
     * form.
     *
     * @return the versions, newest first, for example {@code [0.169.0, 0.163.0]}
     */
    public static List<String> supportedOlderVersions() {
        return OLDER;
    }

    /**
     * Finds the native Codex binary.
     *
     * @param explicit a path chosen by the caller, or {@code null} to search
     * @return the native binary
     * @throws CodexCliNotFoundException when nothing usable is found; the message says what was
     *     searched and how to install the pinned CLI
     */
    public static Path locate(@Nullable Path explicit) {
        return new CodexCli(System.getenv(), Path.of(System.getProperty("user.home")),
                System.getProperty("os.name"), System.getProperty("os.arch")).find(explicit);
    }

    /** Package-private for tests: the same search against a given environment. */
    static Path locate(@Nullable Path explicit, Map<String, String> env, Path home) {
        return new CodexCli(env, home, System.getProperty("os.name"), System.getProperty("os.arch"))
                .find(explicit);
    }

    /** @return the directory the pinned CLI is cached in, whether or not it exists */
    public static Path pinnedCacheDir() {
        return new CodexCli(System.getenv(), Path.of(System.getProperty("user.home")),
                System.getProperty("os.name"), System.getProperty("os.arch")).cacheDir(VERSION);
    }

    private Path find(@Nullable Path explicit) {
        List<String> searched = new ArrayList<>();
        if (explicit != null) {
            return requireUsable(explicit, "the explicit codexPath");
        }
        String fromEnv = env.get(PATH_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return requireUsable(Path.of(fromEnv), "$" + PATH_ENV);
        }
        String selected = env.get(VERSION_ENV);
        if (selected != null && !selected.isBlank() && !selected.trim().equals(VERSION)) {
            Path dir = cacheDir(selected.trim());
            return nativeIn(dir.resolve("node_modules/@openai")).orElseThrow(() -> new CodexCliNotFoundException("$"
                    + VERSION_ENV + " asks for codex-cli " + selected.trim() + ", which is not in the cache " + dir
                    + " (install it with CODEX4J_CODEX_VERSION=" + selected.trim() + " scripts/install-codex, or"
                    + " npm install --prefix " + dir + " @openai/codex@" + selected.trim() + ")."));
        }
        Optional<Path> cached = nativeIn(cacheDir(VERSION).resolve("node_modules/@openai"));
        if (cached.isPresent()) {
            return cached.get();
        }
        searched.add("the pinned cache " + cacheDir(VERSION));
        String pathVar = env.getOrDefault("PATH", "");
        for (String dir : pathVar.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "codex");
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                Optional<Path> resolved = resolveWrapper(candidate);
                if (resolved.isPresent()) {
                    return resolved.get();
                }
                searched.add(candidate + " (an npm wrapper without its native binary)");
            }
        }
        searched.add("codex on PATH");
        throw new CodexCliNotFoundException("No Codex CLI found (searched: " + String.join(", ", searched)
                + "). " + installAdvice());
    }

    private Path requireUsable(Path path, String source) {
        if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
            throw new CodexCliNotFoundException(source + " " + path + " is not an executable file. "
                    + installAdvice());
        }
        return resolveWrapper(path).orElseThrow(() -> new CodexCliNotFoundException(source + " " + path
                + " is an npm node wrapper whose native binary is missing. " + installAdvice()));
    }

    /** What to do about a missing CLI, in terms that work outside this repository. */
    private static String installAdvice() {
        return "Install the Codex CLI version this SDK is built for with `npm install -g @openai/codex@" + VERSION
                + "` (codex on PATH is then found), or set $" + PATH_ENV
                + " (or Codex.builder().codexPath(...)) to a native codex binary of version " + VERSION + ".";
    }

    private Path cacheDir(String version) {
        String root = env.get(CACHE_ENV);
        Path base;
        if (root != null && !root.isBlank()) {
            base = Path.of(root);
        } else {
            String xdg = env.get("XDG_CACHE_HOME");
            base = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".cache")).resolve("codex4j");
        }
        return base.resolve("codex-" + version);
    }

    /** A native binary is returned as is; an npm node wrapper is resolved to its package's binary. */
    private Optional<Path> resolveWrapper(Path candidate) {
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (IOException e) {
            return Optional.empty();
        }
        if (!isScript(real)) {
            return Optional.of(real);
        }
        // npm layout: <root>/node_modules/@openai/codex/bin/codex.js, platform packages beside it.
        Path pkg = real.getParent() == null ? null : real.getParent().getParent();
        if (pkg == null || pkg.getParent() == null) {
            return Optional.empty();
        }
        Optional<Path> sibling = nativeIn(pkg.getParent());
        if (sibling.isPresent()) {
            return sibling;
        }
        // Nested layout: the platform package inside the wrapper's own node_modules, or a vendor dir.
        Optional<Path> nested = nativeIn(pkg.resolve("node_modules/@openai"));
        if (nested.isPresent()) {
            return nested;
        }
        Path vendored = pkg.resolve("vendor").resolve(triple()).resolve("codex/codex");
        return Files.isExecutable(vendored) ? Optional.of(vendored) : Optional.empty();
    }

    private Optional<Path> nativeIn(Path scopeDir) {
        Path p = scopeDir.resolve("codex-" + platformPackage()).resolve("vendor").resolve(triple())
                .resolve("bin/codex");
        return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
    }

    /** An npm wrapper is a node script: its first line is a shebang that names node. */
    private static boolean isScript(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(128);
            String first = new String(head, StandardCharsets.ISO_8859_1);
            int nl = first.indexOf('\n');
            first = nl < 0 ? first : first.substring(0, nl);
            return first.startsWith("#!") && first.contains("node");
        } catch (IOException e) {
            return false;
        }
    }

    private boolean linux() {
        return osName.toLowerCase(Locale.ROOT).contains("linux");
    }

    private boolean arm() {
        String a = osArch.toLowerCase(Locale.ROOT);
        return a.equals("aarch64") || a.equals("arm64");
    }

    private String platformPackage() {
        return (linux() ? "linux-" : "darwin-") + (arm() ? "arm64" : "x64");
    }

    private String triple() {
        return (arm() ? "aarch64" : "x86_64") + (linux() ? "-unknown-linux-musl" : "-apple-darwin");
    }

    private static List<String> readOlderVersions() {
        try (InputStream in = CodexCli.class.getResourceAsStream("codex-cli.older-versions")) {
            if (in == null) {
                return List.of();
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readPinnedVersion() {
        try (InputStream in = CodexCli.class.getResourceAsStream("codex-cli.version")) {
            if (in == null) {
                throw new IllegalStateException("codex-cli.version resource is missing from codex4j-core");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
