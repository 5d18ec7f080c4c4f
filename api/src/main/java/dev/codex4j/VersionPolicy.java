package dev.codex4j;

/**
 * What {@link Codex} does with the app-server's Codex CLI version, which it reads at start from
 * the {@code initialize} reply's user agent ({@code "codex_vscode/0.171.0 (Debian 12; x86_64) ..."}).
 * A refused version fails the start with
 * {@link dev.codex4j.errors.IncompatibleServerVersionException}, naming both versions; the
 * connection is closed.
 *
 * <pre>{@code
 * Codex codex = Codex.builder().versionPolicy(VersionPolicy.SAME_MINOR).build();
 * }</pre>
 *
 * <p>The default is {@link #WARN}: nothing is refused, and a version this codex4j was not tested
 * with is logged at WARNING with both versions. A refusal by default would stop a working
 * application whenever the CLI, usually installed and updated on its own ({@code npm install -g}),
 * moves on; and a newer CLI costs at most the members it changed (they throw
 * {@code MemberNotBoundException} when read; everything else stays typed, unknown methods and items
 * arrive as {@code Unknown}). Choose {@link #EXACT} or {@link #SAME_MINOR} where only the tested
 * version may run.
 *
 * <p>The tested versions: the pin ({@code CodexCli.pinnedVersion()}) and the older supported ones
 * ({@code CodexCli.supportedOlderVersions()}).
 */
public enum VersionPolicy {
    /** Only the pinned version runs; any other (or a user agent without a version) is refused. */
    EXACT,
    /** The pinned major and minor version, any patch, runs; any other is refused. */
    SAME_MINOR,
    /**
     * The pin and the supported older versions run; a newer version runs too, with a WARNING; an
     * older version that is not supported (or a user agent without a version) is refused.
     */
    NEWER_ALLOWED,
    /**
     * The default: every version runs; one that is neither the pin nor a supported older version
     * (or a user agent without a version) is logged at WARNING.
     */
    WARN
}
