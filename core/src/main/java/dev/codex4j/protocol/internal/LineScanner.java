package dev.codex4j.protocol.internal;

import dev.codex4j.protocol.ProtocolCodec;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.RequestId;
import dev.codex4j.protocol.RoutingKeys;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;

/**
 * The dispatcher's one pass over a line: its routing keys (kind, id, method, thread id, turn id)
 * and, in the same pass, what a turn's consumer needs of a delta ({@code params.itemId},
 * {@code params.delta}), read straight from the line's UTF-8 bytes by a validating hand-written
 * reader ({@link ByteScanner}), or from a String by Jackson's streaming parser. Every value it does
 * not need is skipped, never materialised.
 *
 * <p>Thread ids are {@code params.threadId}, else {@code params.thread.id}, else
 * {@code params.conversationId} (legacy approvals); turn ids {@code params.turnId}, else
 * {@code params.turn.id}. {@link RoutingKeys#of} derives the same keys from a decoded message.
 *
 * <p>Not thread-safe: one scanner per reading thread, reused for every line (its results are
 * overwritten by the next {@link #scan}).
 *
 * <pre>{@code
 * LineScanner s = new LineScanner();
 * s.scan(bytes, 0, bytes.length);
 * if (s.kind() == RoutingKeys.Kind.NOTIFICATION && s.turnId() != null) { ... }
 * }</pre>
 */
public final class LineScanner {
    /**
     * The mapper's factory (same limits), used directly: a parser from the mapper carries a fresh
     * deserialization context per line, which costs more than reading the keys themselves.
     */
    private static final TokenStreamFactory FACTORY = ProtocolCodec.mapper().tokenStreamFactory();

    /** This scanner's own factory: its one buffer recycler, never a shared pool (one thread reads). */
    private final TokenStreamFactory factory;
    /** Cached strings of the keys that repeat on every line (null: none, for one-off scans). */
    private final @Nullable StringCache cache;

    RoutingKeys.@Nullable Kind kind;
    @Nullable RequestId id;
    @Nullable String method;
    @Nullable String threadFlat;
    @Nullable String threadNested;
    @Nullable String conversation;
    @Nullable String turnFlat;
    @Nullable String turnNested;
    @Nullable String itemId;
    /** The delta's text: from the String path, or decoded on first ask from the byte path's range. */
    @Nullable String delta;
    /** The byte path: the line holding the delta's raw JSON string (escapes as sent), and where. */
    byte @Nullable [] deltaLine;
    int deltaFrom;
    int deltaTo;
    boolean deltaEscaped;
    /** Whether params held nothing but string threadId, turnId, itemId and delta members. */
    boolean plainDeltaShape;
    boolean paramsSeen;

    /** The hand-written byte path. */
    private final ByteScanner bytes;

    /** A scanner for one-off scans (any thread may make one). */
    public LineScanner() {
        this.factory = FACTORY;
        this.cache = null;
        this.bytes = new ByteScanner(this, null);
    }

    private LineScanner(TokenStreamFactory factory, StringCache cache) {
        this.factory = factory;
        this.cache = cache;
        this.bytes = new ByteScanner(this, cache);
    }

    /**
     * A scanner for the one thread that reads a connection: it keeps its own parser buffers (no
     * shared pool to take them from per line) and caches the strings of methods and ids.
     *
     * @return the scanner
     */
    public static LineScanner forReader() {
        SingleRecycler pool = new SingleRecycler();
        TokenStreamFactory f = ((tools.jackson.core.json.JsonFactory) FACTORY).rebuild().recyclerPool(pool).build();
        return new LineScanner(f, new StringCache());
    }

    /** One BufferRecycler, handed to one parser at a time (the scanner is confined to its thread). */
    private static final class SingleRecycler implements tools.jackson.core.util.RecyclerPool<tools.jackson.core.util.BufferRecycler> {
        private static final long serialVersionUID = 1L;
        private final transient tools.jackson.core.util.BufferRecycler recycler = new tools.jackson.core.util.BufferRecycler();

        @Override
        public tools.jackson.core.util.BufferRecycler acquirePooled() {
            return recycler;
        }

        @Override
        public void releasePooled(tools.jackson.core.util.BufferRecycler pooled) {
            // kept
        }
    }

    /**
     * Scans one line.
     *
     * @param line the bytes holding the line
     * @param offset where the line starts
     * @param length its length, without the line terminator
     * @throws ProtocolException when the bytes are not a JSON-RPC message
     */
    public void scan(byte[] line, int offset, int length) {
        reset();
        try {
            bytes.scan(line, offset, length);
        } catch (ProtocolException e) {
            throw new ProtocolException(e.getMessage() == null ? "Malformed line" : stripLine(e),
                    new String(line, offset, Math.min(length, 4096), StandardCharsets.UTF_8), null);
        }
    }

    /**
     * Scans one line given as text (tests, and callers that already hold a String).
     *
     * @param line the line
     * @throws ProtocolException when it is not a JSON-RPC message
     */
    public void scan(String line) {
        try {
            scan(factory.createParser(ObjectReadContext.empty(), line));
        } catch (ProtocolException e) {
            throw new ProtocolException(stripLine(e), line, null);
        }
    }

    private static String stripLine(ProtocolException e) {
        String m = e.getMessage();
        return m == null ? "Malformed line" : m;
    }

    /** ByteScanner: a second params object replaces the first, as in the tree. */
    void clearParams() {
        threadFlat = null;
        threadNested = null;
        conversation = null;
        turnFlat = null;
        turnNested = null;
        itemId = null;
        clearDelta();
    }

    private void clearDelta() {
        delta = null;
        deltaLine = null;
        deltaFrom = 0;
        deltaTo = 0;
        deltaEscaped = false;
    }

    /** Both paths: whether params held a string {@code delta}. */
    boolean hasDelta() {
        return delta != null || deltaLine != null;
    }

    /** Both paths: the kind from what the line held. */
    void finish(boolean methodSeen, boolean hasResult, boolean hasError) {
        if (methodSeen) {
            kind = id != null ? RoutingKeys.Kind.REQUEST : RoutingKeys.Kind.NOTIFICATION;
        } else if (hasError) {
            kind = RoutingKeys.Kind.ERROR;
        } else if (id == null) {
            throw new ProtocolException("Neither \"method\" nor \"id\": not a JSON-RPC message", null, null);
        } else if (!hasResult) {
            throw new ProtocolException("Response " + id + " has neither \"result\" nor \"error\"", null, null);
        } else {
            kind = RoutingKeys.Kind.RESPONSE;
        }
    }

    private void reset() {
        kind = null;
        id = null;
        method = null;
        threadFlat = null;
        threadNested = null;
        conversation = null;
        turnFlat = null;
        turnNested = null;
        itemId = null;
        clearDelta();
        plainDeltaShape = true;
        paramsSeen = false;
    }

    private void scan(JsonParser parser) {
        reset();
        try (JsonParser p = parser) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ProtocolException("Not a JSON object", null, null);
            }
            boolean methodSeen = false;
            boolean hasResult = false;
            boolean hasError = false;
            String name;
            while ((name = p.nextName()) != null) {
                JsonToken t = p.nextToken();
                switch (name) {
                    case "id" -> id = readId(p, t);
                    case "method" -> {
                        if (t != JsonToken.VALUE_STRING) {
                            throw new ProtocolException("\"method\" is not a string", null, null);
                        }
                        method = cached(p);
                        methodSeen = true;
                    }
                    case "params" -> {
                        if (paramsSeen) {
                            plainDeltaShape = false;
                        }
                        paramsSeen = true;
                        if (t == JsonToken.START_OBJECT) {
                            readParams(p);
                        } else {
                            plainDeltaShape = false;
                            p.skipChildren();
                        }
                    }
                    case "result" -> {
                        hasResult = true;
                        p.skipChildren();
                    }
                    case "error" -> {
                        hasError = t != JsonToken.VALUE_NULL;
                        p.skipChildren();
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new ProtocolException("Trailing content after the JSON object", null, null);
            }
            finish(methodSeen, hasResult, hasError);
        } catch (JacksonException | StackOverflowError e) {
            throw new ProtocolException("Malformed JSON (" + firstLine(e) + ")", null, null);
        }
    }

    private void readParams(JsonParser p) {
        String name;
        while ((name = p.nextName()) != null) {
            JsonToken t = p.nextToken();
            switch (name) {
                case "threadId" -> threadFlat = stringOrSkip(p, t, threadFlat, true);
                case "turnId" -> turnFlat = stringOrSkip(p, t, turnFlat, true);
                case "itemId" -> itemId = stringOrSkip(p, t, itemId, true);
                case "delta" -> delta = stringOrSkip(p, t, delta, false);
                case "conversationId" -> {
                    plainDeltaShape = false;
                    if (t == JsonToken.VALUE_STRING) {
                        conversation = p.getString();
                    } else {
                        p.skipChildren();
                    }
                }
                case "thread" -> {
                    plainDeltaShape = false;
                    String nested = t == JsonToken.START_OBJECT ? readNestedId(p) : skip(p);
                    if (nested != null) {
                        threadNested = nested;
                    }
                }
                case "turn" -> {
                    plainDeltaShape = false;
                    String nested = t == JsonToken.START_OBJECT ? readNestedId(p) : skip(p);
                    if (nested != null) {
                        turnNested = nested;
                    }
                }
                default -> {
                    plainDeltaShape = false;
                    p.skipChildren();
                }
            }
        }
    }

    /** A string value that repeats across lines, from the cache when there is one. */
    private String cached(JsonParser p) {
        StringCache c = cache;
        if (c == null) {
            return p.getString();
        }
        return c.get(p.getStringCharacters(), p.getStringOffset(), p.getStringLength());
    }

    /** A string member's value; anything else is skipped and spoils the plain delta shape. */
    private @Nullable String stringOrSkip(JsonParser p, JsonToken t, @Nullable String previous, boolean repeats) {
        if (t == JsonToken.VALUE_STRING) {
            if (previous != null) {
                plainDeltaShape = false; // a repeated member: let a full decode decide
            }
            return repeats ? cached(p) : p.getString();
        }
        plainDeltaShape = false;
        p.skipChildren();
        return previous;
    }

    private static @Nullable String skip(JsonParser p) {
        p.skipChildren();
        return null;
    }

    /** Reads {@code id} from the object just started, skipping everything else in it. */
    private static @Nullable String readNestedId(JsonParser p) {
        String nested = null;
        String name;
        while ((name = p.nextName()) != null) {
            JsonToken t = p.nextToken();
            if (name.equals("id") && t == JsonToken.VALUE_STRING) {
                nested = p.getString();
            } else {
                p.skipChildren();
            }
        }
        return nested;
    }

    private static @Nullable RequestId readId(JsonParser p, JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> RequestId.of(p.getString());
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new ProtocolException("\"id\" is out of range", null, null);
                }
                yield RequestId.of(p.getLongValue());
            }
            case VALUE_NULL -> null;
            default -> throw new ProtocolException("\"id\" is neither an integer nor a string", null, null);
        };
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** @return the kind of the last line scanned */
    public RoutingKeys.Kind kind() {
        RoutingKeys.Kind k = kind;
        if (k == null) {
            throw new IllegalStateException("nothing scanned");
        }
        return k;
    }

    /** @return the request id (requests and responses), or null */
    public @Nullable RequestId id() {
        return id;
    }

    /** @return the method (requests and notifications), or null */
    public @Nullable String method() {
        return kind == RoutingKeys.Kind.REQUEST || kind == RoutingKeys.Kind.NOTIFICATION ? method : null;
    }

    /** @return the thread id, or null */
    public @Nullable String threadId() {
        if (!isMethodCall()) {
            return null;
        }
        return threadFlat != null ? threadFlat : threadNested != null ? threadNested : conversation;
    }

    /** @return the turn id, or null */
    public @Nullable String turnId() {
        if (!isMethodCall()) {
            return null;
        }
        return turnFlat != null ? turnFlat : turnNested;
    }

    private boolean isMethodCall() {
        return kind == RoutingKeys.Kind.REQUEST || kind == RoutingKeys.Kind.NOTIFICATION;
    }

    /**
     * @return the delta's item id and text when the line is a notification whose params hold only
     *     string {@code threadId}, {@code turnId}, {@code itemId} and {@code delta} members (the
     *     plain shape of every streaming delta), else null: then only a full decode knows
     */
    public @Nullable String plainDelta() {
        if (!isPlainDelta()) {
            return null;
        }
        String d = delta;
        if (d == null) {
            d = ByteScanner.decode(java.util.Objects.requireNonNull(deltaLine), deltaFrom, deltaTo, deltaEscaped);
            delta = d;
        }
        return d;
    }

    /**
     * @return whether the line is a plain streaming delta ({@link #plainDelta()} is not null),
     *     without decoding its text
     */
    public boolean isPlainDelta() {
        return kind == RoutingKeys.Kind.NOTIFICATION && paramsSeen && plainDeltaShape && itemId != null && hasDelta();
    }

    /**
     * The raw bytes of a plain delta's JSON string, between its quotes, escapes as sent: a copy, so
     * that a consumer on another thread decodes the text only if it needs it
     * ({@link #decodeRaw}). Only after a scan of bytes; after {@link #scan(String)}, null.
     *
     * @return a copy of the raw bytes, or null when the line is no plain delta or was scanned as text
     */
    public byte @Nullable [] plainDeltaRaw() {
        byte[] line = deltaLine;
        if (line == null || !isPlainDelta()) {
            return null;
        }
        return java.util.Arrays.copyOfRange(line, deltaFrom, deltaTo);
    }

    /** @return whether the raw bytes of {@link #plainDeltaRaw()} hold escapes */
    public boolean plainDeltaEscaped() {
        return deltaEscaped;
    }

    /**
     * Decodes what {@link #plainDeltaRaw()} returned.
     *
     * @param raw the raw bytes of a JSON string this scanner validated, between its quotes
     * @param escaped whether they hold escapes
     * @return the text
     */
    public static String decodeRaw(byte[] raw, boolean escaped) {
        return ByteScanner.decode(raw, 0, raw.length, escaped);
    }

    /** @return the item id of a {@link #plainDelta()}, or null */
    public @Nullable String plainDeltaItemId() {
        return isPlainDelta() ? itemId : null;
    }

    /** @return the keys of the last line scanned */
    public RoutingKeys keys() {
        return new RoutingKeys(kind(), id, method(), threadId(), turnId());
    }
}
