package dev.codex4j.protocol;

import dev.codex4j.errors.CodexCliInstallException;
import dev.codex4j.errors.CodexCliNotFoundException;
import dev.codex4j.protocol.internal.install.CliInstaller;
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
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The pinned Codex CLI: its version (the one this protocol was generated from) and where its
 * native binary is, installing it when it is nowhere.
 *
 * <p>{@link #locate(Path)} searches, in order: the explicit path given, the environment variable
 * {@value #PATH_ENV}, the pinned cache (the cache of the version named by {@value #VERSION_ENV}
 * instead, when it is set), and {@code codex} on {@code PATH} (where
 * {@code npm install -g @openai/codex@<pinned version>} puts it). An npm {@code .bin/codex} node
 * wrapper found anywhere is resolved to the native binary inside its package, so that closing a
 * client never orphans a grandchild process.
 *
 * <p>When none of these has it, it installs that version into the cache without Node.js: it
 * downloads the platform package ({@code @openai/codex@<version>-linux-x64}, ...) from the npm
 * registry ({@value #DEFAULT_REGISTRY}, or a mirror named by {@value #REGISTRY_PROPERTY} /
 * {@value #REGISTRY_ENV}), checks it against the registry's published sha512 integrity, and
 * unpacks it, once per version however many threads and JVMs start at once (a file lock in the
 * cache). A failed install is a {@link CodexCliInstallException} and leaves nothing that could run.
 * {@code -D}{@value #DOWNLOAD_PROPERTY}{@code =false} (or {@value #DOWNLOAD_ENV}{@code =false})
 * turns the download off, for air-gapped machines. The cache is
 * {@code ${CODEX4J_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/codex4j}/codex-<version>}, shared with
 * codex4j's {@code scripts/install-codex}.
 *
 * <pre>{@code
 * Path codex = CodexCli.locate(null);   // finds or installs the pinned CLI
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
    /**
     * System property that turns the download of a missing CLI off ({@code false}) or on
     * ({@code true}, the default); it wins over {@value #DOWNLOAD_ENV}.
     */
    public static final String DOWNLOAD_PROPERTY = "codex4j.cli.download";
    /** Environment variable that turns the download of a missing CLI off ({@code false}). */
    public static final String DOWNLOAD_ENV = "CODEX4J_CLI_DOWNLOAD";
    /** System property naming the npm registry to download from (a mirror); wins over {@value #REGISTRY_ENV}. */
    public static final String REGISTRY_PROPERTY = "codex4j.npm.registry";
    /** Environment variable naming the npm registry to download from (a mirror). */
    public static final String REGISTRY_ENV = "CODEX4J_NPM_REGISTRY";
    /** The npm registry used unless {@value #REGISTRY_PROPERTY} or {@value #REGISTRY_ENV} names another. */
    public static final String DEFAULT_REGISTRY = CliInstaller.DEFAULT_REGISTRY;

    private static final System.Logger LOG = System.getLogger(CodexCli.class.getName());

    private static final String VERSION = readPinnedVersion();
    private static final List<String> OLDER = readOlderVersions();

    private final Map<String, String> env;
    private final Function<String, @Nullable String> properties;
    private final Path home;
    private final String osName;
    private final String osArch;

    private CodexCli(Map<String, String> env, Function<String, @Nullable String> properties, Path home, String osName,
            String osArch) {
        this.env = env;
        this.properties = properties;
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
     * Finds the native Codex binary, and installs it into the cache from the npm registry when it
     * is nowhere and the download is on (the default). The first start of a version may so take
     * a while: the package is about 160 MB.
     *
     * @param explicit a path chosen by the caller, or {@code null} to search
     * @return the native binary
     * @throws CodexCliNotFoundException when nothing usable is found and the download is off (or
     *     an explicit path is not usable); the message says what was searched and how to fix it
     * @throws CodexCliInstallException when the download or its check fails; nothing runnable is left
     */
    public static Path locate(@Nullable Path explicit) {
        return new CodexCli(System.getenv(), System::getProperty, Path.of(System.getProperty("user.home")),
                System.getProperty("os.name"), System.getProperty("os.arch")).find(explicit);
    }

    /** Package-private for tests: the same search against a given environment (no system properties). */
    static Path locate(@Nullable Path explicit, Map<String, String> env, Path home) {
        return new CodexCli(env, k -> null, home, System.getProperty("os.name"), System.getProperty("os.arch"))
                .find(explicit);
    }

    /** @return the directory the pinned CLI is cached in, whether or not it exists */
    public static Path pinnedCacheDir() {
        return new CodexCli(System.getenv(), System::getProperty, Path.of(System.getProperty("user.home")),
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
            String version = selected.trim();
            Path dir = cacheDir(version);
            Optional<Path> cached = nativeIn(dir.resolve("node_modules/@openai"));
            if (cached.isPresent()) {
                return cached.get();
            }
            if (downloadEnabled()) {
                return install(version);
            }
            throw new CodexCliNotFoundException("$" + VERSION_ENV + " asks for codex-cli " + version
                    + ", which is not in the cache " + dir + ", and the download is off (" + downloadSwitch()
                    + "). Turn it on, or install it with CODEX4J_CODEX_VERSION=" + version + " scripts/install-codex"
                    + " (in a clone of codex4j), or npm install --prefix " + dir + " @openai/codex@" + version + ".");
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
        if (downloadEnabled()) {
            return install(VERSION);
        }
        throw new CodexCliNotFoundException("No Codex CLI found (searched: " + String.join(", ", searched)
                + "), and the download from the npm registry is off (" + downloadSwitch() + "). " + installAdvice());
    }

    private boolean downloadEnabled() {
        Optional<String> v = CliInstaller.setting(properties, env, DOWNLOAD_PROPERTY, DOWNLOAD_ENV);
        return v.isEmpty() || !v.get().equalsIgnoreCase("false");
    }

    private String downloadSwitch() {
        String p = properties.apply(DOWNLOAD_PROPERTY);
        return p != null && !p.isBlank() ? "-D" + DOWNLOAD_PROPERTY + "=" + p.trim() : "$" + DOWNLOAD_ENV + "=" + env.get(DOWNLOAD_ENV);
    }

    /** Installs a version into the cache from the npm registry (once, whoever else tries at the same time). */
    private Path install(String version) {
        String registry = CliInstaller.setting(properties, env, REGISTRY_PROPERTY, REGISTRY_ENV).orElse(DEFAULT_REGISTRY);
        Path root = cacheDir(version).getParent();
        CliInstaller.Platform platform;
        try {
            platform = CliInstaller.Platform.of(osName, osArch);
        } catch (CliInstaller.InstallFailure e) {
            throw new CodexCliNotFoundException("No Codex CLI found, and codex4j cannot download one: " + e.getMessage()
                    + ". Set $" + PATH_ENV + " (or Codex.builder().codexPath(...)) to a native codex binary of version "
                    + version + ".");
        }
        try {
            CliInstaller installer = new CliInstaller(registry, root, platform,
                    CliInstaller.Timeouts.defaults(), line -> LOG.log(System.Logger.Level.INFO, line));
            return installer.install(version, false);
        } catch (CliInstaller.InstallFailure e) {
            throw new CodexCliInstallException("Could not install codex-cli " + version + ": " + e.getMessage()
                    + ". Set $" + REGISTRY_ENV + " (or -D" + REGISTRY_PROPERTY + ") to an npm mirror, or set $" + PATH_ENV
                    + " (or Codex.builder().codexPath(...)) to a native codex binary of version " + version
                    + "; -D" + DOWNLOAD_PROPERTY + "=false turns the download off.", e);
        }
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
        return "Let codex4j download the version this SDK is built for, " + VERSION + ", by itself (-D"
                + DOWNLOAD_PROPERTY + "=true, the default, with $" + REGISTRY_ENV + " for an npm mirror), or set $"
                + PATH_ENV + " (or Codex.builder().codexPath(...)) to a native codex binary of version " + VERSION
                + ", or install it with `npm install -g @openai/codex@" + VERSION + "` (codex on PATH is then found).";
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
