package dev.codex4j.errors;

import org.jspecify.annotations.Nullable;

/**
 * codex4j tried to install the Codex CLI from the npm registry and failed: the registry could not
 * be reached or did not have the version, the download broke off or stalled, the tarball did not
 * match the registry's published integrity (sha512), or the archive was malformed or tried to
 * write outside its package. Nothing of a failed install is left where the binary is looked for,
 * so a corrupt download never runs. The message names the package, the URL and what was wrong.
 *
 * <pre>{@code
 * try (Codex codex = Codex.start()) {
 *     ...
 * } catch (CodexCliInstallException e) {
 *     // offline or behind a proxy: set CODEX4J_NPM_REGISTRY to a mirror, or CODEX4J_CODEX_PATH to a binary
 * }
 * }</pre>
 */
public final class CodexCliInstallException extends CodexException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, and what to do about it
     * @param cause the underlying failure, or null
     */
    public CodexCliInstallException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
