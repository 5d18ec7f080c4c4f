package dev.codex4j.protocol.internal;

import dev.codex4j.protocol.JsonCodec;
import dev.codex4j.protocol.RequestId;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The codec of a class: a generated type's {@code codec()}, found once per class. A nested form
 * of a union without a {@code codec()} of its own (a wrapper, {@code Unknown}) uses the union's.
 */
public final class Codecs {
    private static final ClassValue<@Nullable JsonCodec<?>> BY_CLASS = new ClassValue<>() {
        @Override
        protected @Nullable JsonCodec<?> computeValue(Class<?> type) {
            return find(type);
        }
    };

    private Codecs() {}

    /**
     * @param type a generated protocol type, {@code JsonNode}, {@code String}, {@code Long},
     *     {@code Double}, {@code Boolean} or {@code RequestId}
     * @param <T> the type
     * @return its codec
     * @throws IllegalArgumentException when the type has none
     */
    @SuppressWarnings("unchecked")
    public static <T> JsonCodec<T> of(Class<T> type) {
        JsonCodec<?> c = BY_CLASS.get(type);
        if (c == null) {
            throw new IllegalArgumentException(type.getName() + " is not a protocol type (no static codec())");
        }
        return (JsonCodec<T>) c;
    }

    /**
     * @param type a class
     * @return whether it has a codec ({@link #of} does not throw)
     */
    public static boolean has(Class<?> type) {
        return BY_CLASS.get(type) != null;
    }

    private static @Nullable JsonCodec<?> find(Class<?> type) {
        if (JsonNode.class.isAssignableFrom(type)) {
            return Json.TREE;
        }
        if (RequestId.class.isAssignableFrom(type)) {
            return Json.REQUEST_ID;
        }
        if (type == String.class) {
            return Json.STRING;
        }
        if (type == Long.class || type == long.class) {
            return Json.LONG;
        }
        if (type == Double.class || type == double.class) {
            return Json.DOUBLE;
        }
        if (type == Boolean.class || type == boolean.class) {
            return Json.BOOLEAN;
        }
        try {
            MethodHandle h = MethodHandles.publicLookup().findStatic(type, "codec", MethodType.methodType(JsonCodec.class));
            return (JsonCodec<?>) h.invoke();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            for (Class<?> i : type.getInterfaces()) {
                JsonCodec<?> c = BY_CLASS.get(i);
                if (c != null) {
                    return c;
                }
            }
            return null;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
