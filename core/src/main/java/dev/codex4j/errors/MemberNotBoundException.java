package dev.codex4j.errors;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The accessor of a member that did not bind was called: the member was missing though the schema
 * of this version requires it, had another JSON type, or held a form this version does not know.
 * Binding is strict at the member, not at the message: such a member keeps its raw JSON (written
 * back unchanged), every other member of the message stays typed, and only reading this one
 * throws. Nothing is ever coerced.
 *
 * <p>It names the member ({@link #member()}), the JSON path in the message it was read from
 * ({@link #path()}, e.g. {@code $.result.data[0].position}), the Java type expected
 * ({@link #expected()}), the problem ({@link #problem()}) and what was there ({@link #actual()},
 * null when the member was missing):
 *
 * <pre>{@code
 * ProjectListResponse r = codex.request(ClientMethods.PROJECT_LIST, params);   // binds even from a newer server
 * for (Project p : r.data()) {
 *     show(p.name());
 *     try {
 *         order(p.position());
 *     } catch (MemberNotBoundException e) {
 *         // "Project.position does not bind: $.result.data[0].position: missing required member (in Project); expected long, got nothing"
 *         log.warning(e.getMessage());
 *     }
 * }
 * }</pre>
 *
 * <p>Every generated object also has {@code validate()}, which throws a {@link DecodeException}
 * for the first member anywhere inside it that did not bind, for callers who want the whole value
 * checked at once.
 */
public final class MemberNotBoundException extends DecodeException {
    private static final long serialVersionUID = 1L;

    private final String member;
    private final String expected;
    private final transient @Nullable JsonNode actual;

    /**
     * @param member the member, as {@code Type.javaName}, e.g. {@code Project.position}
     * @param expected the Java type the accessor returns, e.g. {@code long} or {@code AgentMessageDisplay}
     * @param actual the member's JSON as received, or {@code null} when it was missing
     * @param error the reader's error (path, problem, innermost type)
     */
    public MemberNotBoundException(String member, String expected, @Nullable JsonNode actual, DecodeException error) {
        super(member, error);
        this.member = member;
        this.expected = expected;
        this.actual = actual;
    }

    /** @return the member, as {@code Type.javaName}, e.g. {@code Project.position} */
    public String member() {
        return member;
    }

    /** @return the Java type the accessor returns, e.g. {@code long} */
    public String expected() {
        return expected;
    }

    /** @return the member's JSON as received, or {@code null} when it was missing */
    public @Nullable JsonNode actual() {
        return actual;
    }

    @Override
    public String getMessage() {
        String a = actual == null ? "nothing" : actual.toString();
        if (a.length() > 120) {
            a = a.substring(0, 120) + "...";
        }
        return super.getMessage() + "; expected " + expected + ", got " + a;
    }
}
