package dev.codex4j.errors;

/**
 * A protocol method or member that the Codex app-server marks experimental was about to be sent
 * from a client that did not opt in: the server would refuse it ({@code -32600 "... requires
 * experimentalApi capability"}), so the SDK refuses first and sends nothing. Build the client
 * with {@code Codex.builder().experimentalApi(true)} to use it.
 *
 * <pre>{@code
 * try {
 *     thread.updateSettings(ThreadSettings.builder().model("gpt-5.5").build());
 * } catch (ExperimentalApiRequiredException e) {
 *     System.err.println(e.feature() + " needs Codex.builder().experimentalApi(true)");
 * }
 * }</pre>
 */
public class ExperimentalApiRequiredException extends CodexException {
    private static final long serialVersionUID = 1L;

    private final String feature;

    /** @param feature the experimental method or member, for example {@code thread/settings/update} */
    public ExperimentalApiRequiredException(String feature) {
        super(feature + " is an experimental app-server API, which the server refuses unless the client opts in:"
                + " build the client with Codex.builder().experimentalApi(true)");
        this.feature = feature;
    }

    /** @return the experimental method or member that was refused */
    public String feature() {
        return feature;
    }
}
