package dev.codex4j.protocol;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to start {@code codex app-server}: the binary, environment variables merged over the parent
 * process's, {@code -c key=value} config overrides (values are TOML), and the working directory.
 *
 * <p>An immutable value: every {@code with...} method returns a copy. The SDK's
 * {@code Codex.builder().launch(...)} and testkit's offline fixture both speak it, so an offline
 * test hands its fixture's settings to the SDK in one call.
 *
 * <pre>{@code
 * AppServerLaunch launch = AppServerLaunch.defaults()
 *         .withConfig("model", "\"gpt-5\"")
 *         .withEnv("CODEX_HOME", "/tmp/codex-home");
 * }</pre>
 *
 * @param executable the Codex binary, or {@code null} to search as {@link CodexCli#locate} does
 * @param environment variables set (over the parent's) for the child process, in insertion order
 * @param config {@code -c} overrides: key to TOML value ({@code "\"text\""}, {@code "true"}, {@code "3"})
 * @param workingDirectory the child's working directory, or {@code null} for the parent's
 */
public record AppServerLaunch(
        @Nullable Path executable,
        Map<String, String> environment,
        Map<String, String> config,
        @Nullable Path workingDirectory) {

    /** Copies the maps, keeping their order; keys and values must not be null. */
    public AppServerLaunch {
        environment = frozen(environment, "environment");
        config = frozen(config, "config");
    }

    /** @return a launch that searches for the binary and changes nothing else */
    public static AppServerLaunch defaults() {
        return new AppServerLaunch(null, Map.of(), Map.of(), null);
    }

    /** @return a copy that runs the given binary */
    public AppServerLaunch withExecutable(@Nullable Path path) {
        return new AppServerLaunch(path, environment, config, workingDirectory);
    }

    /** @return a copy with one more (or a replaced) environment variable */
    public AppServerLaunch withEnv(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(name, value);
        return new AppServerLaunch(executable, env, config, workingDirectory);
    }

    /** @return a copy with these environment variables added (or replaced) */
    public AppServerLaunch withEnv(Map<String, String> more) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.putAll(more);
        return new AppServerLaunch(executable, env, config, workingDirectory);
    }

    /**
     * @param key a config key, dotted for tables ({@code features.plugins})
     * @param tomlValue the value in TOML syntax: strings quoted ({@code "\"never\""})
     * @return a copy with one more (or a replaced) {@code -c key=value} override
     */
    public AppServerLaunch withConfig(String key, String tomlValue) {
        Map<String, String> c = new LinkedHashMap<>(config);
        c.put(key, tomlValue);
        return new AppServerLaunch(executable, environment, c, workingDirectory);
    }

    /** @return a copy with these config overrides added (or replaced) */
    public AppServerLaunch withConfig(Map<String, String> more) {
        Map<String, String> c = new LinkedHashMap<>(config);
        c.putAll(more);
        return new AppServerLaunch(executable, environment, c, workingDirectory);
    }

    /** @return a copy that starts the child in the given directory */
    public AppServerLaunch withWorkingDirectory(@Nullable Path dir) {
        return new AppServerLaunch(executable, environment, config, dir);
    }

    /**
     * The command line for the given binary: {@code <binary> app-server -c k=v ...}.
     *
     * @param binary the resolved native binary
     * @return the full command, ready for {@link ProcessBuilder}
     */
    public List<String> command(Path binary) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.add("app-server");
        config.forEach((k, v) -> {
            cmd.add("-c");
            cmd.add(k + "=" + v);
        });
        return List.copyOf(cmd);
    }

    /** @return the binary: the explicit one if set, else what {@link CodexCli#locate} finds */
    public Path resolveExecutable() {
        return CodexCli.locate(executable);
    }

    private static Map<String, String> frozen(Map<String, String> in, String what) {
        Objects.requireNonNull(in, what);
        Map<String, String> copy = new LinkedHashMap<>();
        in.forEach((k, v) -> copy.put(Objects.requireNonNull(k, what + " key"),
                Objects.requireNonNull(v, what + " value for " + k)));
        return Collections.unmodifiableMap(copy);
    }
}
