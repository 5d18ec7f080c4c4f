package dev.codex4j.protocol.internal;

import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.util.JsonParserDelegate;
import tools.jackson.databind.JsonNode;

/**
 * A parser over a buffered part of a message that asks the generated readers to bind leniently:
 * strict at the member, not at the message. Each member is buffered and bound on its own; a member
 * that does not bind (missing though required, of another JSON type, a form this version does not
 * know) is kept raw in the value's {@link Unbound} instead of failing the whole value, and only
 * its accessor throws. Readers see the mode by the parser's class, so the strict streaming path
 * pays nothing for it.
 *
 * <p>Its errors carry paths from the root of the whole message: {@link #prefix()} is where this
 * parser's root sits in it ({@code $.params}, {@code $.params.item.moderation}).
 */
public final class Lenient extends JsonParserDelegate {
    private final String prefix;

    private Lenient(JsonParser d, String prefix) {
        super(d);
        this.prefix = prefix;
    }

    /**
     * @param tree a part of a message
     * @param prefix its path in the message, e.g. {@code $.params}
     * @return a lenient parser on the part's first token
     */
    public static Lenient of(JsonNode tree, String prefix) {
        Lenient l = new Lenient(tree.traverse(ObjectReadContext.empty()), prefix);
        l.nextToken();
        return l;
    }

    /**
     * @param p the parser the member was read from, on its last token
     * @param member the member's JSON, buffered
     * @return a lenient parser on the member's first token, with paths as in the whole message
     */
    public static Lenient sub(JsonParser p, JsonNode member) {
        return of(member, Json.path(p));
    }

    /** @return the path of this parser's root in the whole message, e.g. {@code $.params} */
    public String prefix() {
        return prefix;
    }

    String absolute(String relative) {
        return prefix + relative.substring(1);
    }
}
