package dev.codex4j.errors;

/**
 * No usable Codex CLI binary was found. The message lists every place that was searched and says
 * how to install the pinned version. A {@link CodexException}, like everything codex4j throws on
 * purpose.
 */
public final class CodexCliNotFoundException extends CodexException {
    private static final long serialVersionUID = 1L;

    /** @param message what was searched and how to install the CLI */
    public CodexCliNotFoundException(String message) {
        super(message);
    }
}
