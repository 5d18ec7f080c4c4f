package dev.codex4j.protocol.internal;

import dev.codex4j.errors.DecodeException;
import dev.codex4j.errors.MemberNotBoundException;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The members of one value that did not bind when it was read leniently (see {@link Lenient}):
 * per member index, its raw JSON (null when it was missing) and the reader's error. Immutable;
 * a value whose members all bound holds {@code null} instead of an instance, so the accessors of a
 * well-formed value pay one null check.
 */
public final class Unbound {
    private final long bits;
    private final @Nullable JsonNode[] raw;
    private final @Nullable DecodeException[] errors;
    private final String type;
    private final String[] javaNames;
    private final String[] javaTypes;

    private Unbound(long bits, @Nullable JsonNode[] raw, @Nullable DecodeException[] errors, String type,
                    String[] javaNames, String[] javaTypes) {
        this.bits = bits;
        this.raw = raw;
        this.errors = errors;
        this.type = type;
        this.javaNames = javaNames;
        this.javaTypes = javaTypes;
    }

    /**
     * Records a member that did not bind.
     *
     * @param u the members recorded so far, or null
     * @param type the owning type's name, e.g. {@code ThreadItem.AgentMessage}
     * @param javaNames the owning type's members' Java names, by index
     * @param javaTypes their Java types, by index
     * @param ix the member's index
     * @param raw its JSON, or null when it was missing
     * @param error why it did not bind
     * @return the members recorded, with this one
     */
    public static Unbound add(@Nullable Unbound u, String type, String[] javaNames, String[] javaTypes, int ix,
                              @Nullable JsonNode raw, DecodeException error) {
        int n = javaNames.length;
        JsonNode[] r = u == null ? new JsonNode[n] : u.raw.clone();
        DecodeException[] e = u == null ? new DecodeException[n] : u.errors.clone();
        r[ix] = raw;
        e[ix] = error;
        return new Unbound((u == null ? 0L : u.bits) | 1L << ix, r, e, type, javaNames, javaTypes);
    }

    /**
     * @param u the unbound members, or null
     * @param ix a member index
     * @return {@code u} without that member (null when none is left)
     */
    public static @Nullable Unbound without(@Nullable Unbound u, int ix) {
        if (u == null || (u.bits & 1L << ix) == 0) {
            return u;
        }
        long b = u.bits & ~(1L << ix);
        if (b == 0) {
            return null;
        }
        JsonNode[] r = u.raw.clone();
        DecodeException[] e = u.errors.clone();
        r[ix] = null;
        e[ix] = null;
        return new Unbound(b, r, e, u.type, u.javaNames, u.javaTypes);
    }

    /**
     * The accessor's check.
     *
     * @param u the value's unbound members, or null
     * @param ix the member being read
     * @throws MemberNotBoundException when that member did not bind
     */
    public static void check(@Nullable Unbound u, int ix) {
        if (u != null && (u.bits & 1L << ix) != 0) {
            throw u.error(ix);
        }
    }

    /** @param u the unbound members, or null @return their bits (0 for null) */
    public static long bits(@Nullable Unbound u) {
        return u == null ? 0L : u.bits;
    }

    /** @param u the unbound members, or null @param ix an index @return whether member ix is written raw */
    public static boolean hasRaw(@Nullable Unbound u, int ix) {
        return u != null && (u.bits & 1L << ix) != 0 && u.raw[ix] != null;
    }

    /** @param ix an unbound member that was present @return its JSON as received */
    public JsonNode raw(int ix) {
        return Objects.requireNonNull(raw[ix]);
    }

    /** @param ix an unbound member @return the error its accessor throws */
    public MemberNotBoundException error(int ix) {
        return new MemberNotBoundException(type + "." + javaNames[ix], javaTypes[ix], raw[ix],
                Objects.requireNonNull(errors[ix]));
    }

    /** @return the first unbound member's error */
    public MemberNotBoundException first() {
        return error(Long.numberOfTrailingZeros(bits));
    }

    /** Equal when the same members did not bind with equal JSON (the errors do not count). */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof Unbound u && bits == u.bits && Arrays.equals(raw, u.raw);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(bits) * 31 + Arrays.hashCode(raw);
    }

    /** {@return the unbound members with their problems} */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        for (long rest = bits; rest != 0; rest &= rest - 1) {
            int ix = Long.numberOfTrailingZeros(rest);
            if (b.length() > 1) {
                b.append(", ");
            }
            DecodeException e = Objects.requireNonNull(errors[ix]);
            b.append(javaNames[ix]).append(": ").append(e.path()).append(": ").append(e.problem());
        }
        return b.append('}').toString();
    }
}
