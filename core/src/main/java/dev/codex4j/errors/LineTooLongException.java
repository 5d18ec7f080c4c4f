package dev.codex4j.errors;

/**
 * The app-server wrote a line longer than the connection's limit
 * ({@code ConnectionOptions.maxLineBytes}, {@code CodexBuilder.maxLineBytes}). Such a line is
 * either a broken server or a workload the limit is too small for; nothing can be routed from it,
 * so the connection ends with a {@link TransportClosedException} whose cause is this exception.
 *
 * <pre>{@code
 * catch (TransportClosedException e) {
 *     if (e.getCause() instanceof LineTooLongException l) {
 *         System.err.println("raise maxLineBytes above " + l.limit());
 *     }
 * }
 * }</pre>
 */
public class LineTooLongException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final long limit;

    /**
     * @param limit the limit in bytes
     * @param start the start of the line, for the message
     */
    public LineTooLongException(long limit, String start) {
        super("The app-server wrote a line longer than " + limit + " bytes (the limit is maxLineBytes)", start, null);
        this.limit = limit;
    }

    /** @return the limit that was passed, in bytes */
    public long limit() {
        return limit;
    }
}
