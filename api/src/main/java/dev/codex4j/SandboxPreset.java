package dev.codex4j;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.protocol.types.SandboxMode;
import dev.codex4j.protocol.types.SandboxPolicy;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * Where the agent's commands may write and whether they reach the network: read-only, the
 * workspace (with network on or off and extra writable roots), or full access. An immutable
 * value, for a thread ({@link ThreadOptions.Builder#sandboxPreset}), a turn
 * ({@link TurnOptions.Builder#sandboxPreset}) or a running thread
 * ({@link ThreadSettings.Builder#sandboxPreset}).
 *
 * <p>A turn and a running thread get it as the protocol's {@code sandboxPolicy}
 * ({@link #policy()}). {@code thread/start}, {@code thread/resume} and {@code thread/fork} take only
 * a {@code sandbox} mode ({@link #mode()}), so a thread gets the workspace's network access and
 * extra roots as the config overrides {@code sandbox_workspace_write.network_access} and
 * {@code sandbox_workspace_write.writable_roots} ({@link #threadConfig()}).
 *
 * <pre>{@code
 * SandboxPreset build = SandboxPreset.workspaceWrite().withNetwork(true).withWritableRoots(Path.of("/tmp/cache"));
 * thread.run("Run the build", TurnOptions.builder().sandboxPreset(build).build());
 * }</pre>
 */
public final class SandboxPreset {
    private static final SandboxPreset READ_ONLY = new SandboxPreset(SandboxMode.READ_ONLY, false, List.of());
    private static final SandboxPreset WORKSPACE = new SandboxPreset(SandboxMode.WORKSPACE_WRITE, false, List.of());
    private static final SandboxPreset FULL = new SandboxPreset(SandboxMode.DANGER_FULL_ACCESS, true, List.of());

    private final SandboxMode mode;
    private final boolean network;
    private final List<Path> writableRoots;

    private SandboxPreset(SandboxMode mode, boolean network, List<Path> writableRoots) {
        this.mode = mode;
        this.network = network;
        this.writableRoots = List.copyOf(writableRoots);
    }

    /** @return commands read anything and write nothing, without network */
    public static SandboxPreset readOnly() {
        return READ_ONLY;
    }

    /** @return commands write in the working directory (and the temp directories), without network */
    public static SandboxPreset workspaceWrite() {
        return WORKSPACE;
    }

    /** @return no sandbox at all: <strong>dangerous</strong>, only for throwaway machines */
    public static SandboxPreset fullAccess() {
        return FULL;
    }

    /**
     * @param enabled whether commands may reach the network
     * @return this workspace preset with network access on or off
     * @throws IllegalStateException when this is not {@link #workspaceWrite()}
     */
    public SandboxPreset withNetwork(boolean enabled) {
        requireWorkspace("withNetwork");
        return new SandboxPreset(mode, enabled, writableRoots);
    }

    /**
     * @param roots directories commands may also write to (made absolute)
     * @return this workspace preset with these extra writable roots (replacing earlier ones)
     * @throws IllegalStateException when this is not {@link #workspaceWrite()}
     */
    public SandboxPreset withWritableRoots(Path... roots) {
        requireWorkspace("withWritableRoots");
        return new SandboxPreset(mode, network, Arrays.stream(roots)
                .map(p -> Objects.requireNonNull(p, "root").toAbsolutePath().normalize()).toList());
    }

    private void requireWorkspace(String what) {
        if (!mode.equals(SandboxMode.WORKSPACE_WRITE)) {
            throw new IllegalStateException(what + " applies to SandboxPreset.workspaceWrite() only, not to " + this);
        }
    }

    /** @return the sandbox mode ({@code read-only}, {@code workspace-write} or {@code danger-full-access}) */
    public SandboxMode mode() {
        return mode;
    }

    /** @return whether commands may reach the network (always true for full access) */
    public boolean network() {
        return network;
    }

    /** @return the extra writable roots of a workspace preset, or empty */
    public List<Path> writableRoots() {
        return writableRoots;
    }

    /** @return this preset as the protocol's {@code sandboxPolicy} (turns, live settings) */
    public SandboxPolicy policy() {
        if (mode.equals(SandboxMode.READ_ONLY)) {
            return SandboxPolicy.ReadOnly.builder().networkAccess(false).build();
        }
        if (mode.equals(SandboxMode.DANGER_FULL_ACCESS)) {
            return SandboxPolicy.DangerFullAccess.builder().build();
        }
        return SandboxPolicy.WorkspaceWrite.builder().networkAccess(network)
                .writableRoots(writableRoots.stream().map(Path::toString).toList()).build();
    }

    /**
     * @return the config overrides a thread gets beside {@link #mode()}: for a workspace preset,
     *     {@code sandbox_workspace_write.network_access} and (when there are any)
     *     {@code sandbox_workspace_write.writable_roots}; else empty
     */
    public Map<String, JsonNode> threadConfig() {
        Map<String, JsonNode> c = new LinkedHashMap<>();
        if (mode.equals(SandboxMode.WORKSPACE_WRITE)) {
            c.put("sandbox_workspace_write.network_access", ProtocolCodec.mapper().valueToTree(network));
            if (!writableRoots.isEmpty()) {
                c.put("sandbox_workspace_write.writable_roots",
                        ProtocolCodec.mapper().valueToTree(writableRoots.stream().map(Path::toString).toList()));
            }
        }
        return Map.copyOf(c);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SandboxPreset p && mode.equals(p.mode) && network == p.network
                && writableRoots.equals(p.writableRoots);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, network, writableRoots);
    }

    @Override
    public String toString() {
        return "SandboxPreset[" + mode.value() + (mode.equals(SandboxMode.WORKSPACE_WRITE)
                ? ", network=" + network + (writableRoots.isEmpty() ? "" : ", writableRoots=" + writableRoots) : "") + "]";
    }
}
