package dev.codex4j.errors;

import org.jspecify.annotations.Nullable;

/**
 * JSON that does not bind to a protocol type: a member of the wrong JSON type, a missing required
 * member, a duplicate member, a {@code null} where the schema allows none. Binding is strict and
 * never coerces ({@code 42} is not a string, {@code "true"} is not a boolean).
 *
 * <p>The message names what was being bound (a method's params or result, or a type), the JSON
 * path of the offending value from the root of the document that was read (for a whole message:
 * {@code $.params.item.id}), the problem, and the innermost generated type being read:
 *
 * <pre>{@code
 * try {
 *     TypedCodec.result(ClientMethods.THREAD_START, response.result());
 * } catch (DecodeException e) {
 *     // "thread/start result does not bind: $.result.thread.id: expected a string, got the number 42 (in Thread)"
 *     log.warning(e.getMessage() + " at " + e.path());
 * }
 * }</pre>
 */
public class DecodeException extends ProtocolException {
    private static final long serialVersionUID = 1L;

    private final String path;
    private final String problem;
    private final @Nullable String type;
    private final @Nullable String subject;

    /**
     * A decode error as a reader finds it. It has no stack trace: readers throw it on bad data,
     * and entry points such as {@code TypedCodec.result} rethrow it with a subject and a trace via
     * {@link #DecodeException(String, DecodeException)}.
     *
     * @param path the JSON path of the offending value, e.g. {@code $.item.id}
     * @param problem what is wrong, e.g. {@code expected a string, got the number 42}
     * @param type the innermost protocol type being read, or {@code null}
     */
    public DecodeException(String path, String problem, @Nullable String type) {
        super(message(null, path, problem, type), null, false);
        this.path = path;
        this.problem = problem;
        this.type = type;
        this.subject = null;
    }

    /**
     * The same error, named by what the caller was binding, with a stack trace from here.
     *
     * @param subject what was being bound, e.g. {@code "thread/start result"} or {@code "ThreadStartParams"}
     * @param error the reader's error
     */
    public DecodeException(String subject, DecodeException error) {
        super(message(subject, error.path, error.problem, error.type), null, true);
        this.path = error.path;
        this.problem = error.problem;
        this.type = error.type;
        this.subject = subject;
    }

    private static String message(@Nullable String subject, String path, String problem, @Nullable String type) {
        StringBuilder b = new StringBuilder();
        if (subject != null) {
            b.append(subject).append(" does not bind: ");
        }
        b.append(path).append(": ").append(problem);
        if (type != null) {
            b.append(" (in ").append(type).append(')');
        }
        return b.toString();
    }

    /** @return the JSON path of the offending value, e.g. {@code $.params.item.id} */
    public String path() {
        return path;
    }

    /** @return what is wrong, without the path, e.g. {@code missing required member} */
    public String problem() {
        return problem;
    }

    /** @return the innermost protocol type that was being read, e.g. {@code ThreadItem.AgentMessage}, or null */
    public @Nullable String type() {
        return type;
    }

    /** @return what the caller was binding, e.g. {@code thread/start result}, or null */
    public @Nullable String subject() {
        return subject;
    }

    /**
     * @param innermost the type being read where this error passed through
     * @return this error if it already names a type, else a copy naming {@code innermost}
     */
    public DecodeException in(String innermost) {
        return type != null ? this : new DecodeException(path, problem, innermost);
    }

    /**
     * The same error for a document that was read as a part of a larger one.
     *
     * @param prefix the path of the part in the larger document, e.g. {@code $.params}
     * @return a copy whose path starts with {@code prefix} instead of {@code $}
     */
    public DecodeException under(String prefix) {
        return new DecodeException(prefix + path.substring(1), problem, type);
    }
}
