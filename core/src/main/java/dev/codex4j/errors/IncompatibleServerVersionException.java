package dev.codex4j.errors;

import org.jspecify.annotations.Nullable;

/**
 * The app-server's Codex CLI version is refused by the client's version policy
 * ({@code Codex.builder().versionPolicy(...)}): thrown by {@code Codex.start()}/{@code build()}
 * after the {@code initialize} handshake, with the connection closed. It names both versions.
 *
 * <pre>{@code
 * try (Codex codex = Codex.builder().versionPolicy(VersionPolicy.EXACT).build()) {
 *     ...
 * } catch (IncompatibleServerVersionException e) {
 *     // "The app-server runs Codex CLI 0.172.0, which VersionPolicy.EXACT refuses: this codex4j is built for 0.171.0 ..."
 *     log.severe(e.getMessage());
 * }
 * }</pre>
 */
public final class IncompatibleServerVersionException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final @Nullable String serverVersion;
    private final String pinnedVersion;
    private final String userAgent;

    /**
     * @param message the full message, naming both versions and the policy
     * @param serverVersion the server's version, or {@code null} when its user agent names none
     * @param pinnedVersion the version this build is pinned to
     * @param userAgent the server's {@code initialize} user agent, as sent
     */
    public IncompatibleServerVersionException(String message, @Nullable String serverVersion, String pinnedVersion,
                                              String userAgent) {
        super(message);
        this.serverVersion = serverVersion;
        this.pinnedVersion = pinnedVersion;
        this.userAgent = userAgent;
    }

    /** @return the server's Codex CLI version, or null when its user agent names none */
    public @Nullable String serverVersion() {
        return serverVersion;
    }

    /** @return the Codex CLI version this codex4j is built for ({@code CodexCli.pinnedVersion()}) */
    public String pinnedVersion() {
        return pinnedVersion;
    }

    /** @return the server's {@code initialize} user agent, as sent */
    public String userAgent() {
        return userAgent;
    }
}
