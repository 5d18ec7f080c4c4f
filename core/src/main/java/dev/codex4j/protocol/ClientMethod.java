package dev.codex4j.protocol;

import dev.codex4j.protocol.methods.ClientMethods;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A request method a client sends, paired with its params and result types. The constants are in
 * {@link ClientMethods}; {@link TypedCodec} encodes params and binds results with them.
 *
 * <p>The constants of {@link ClientMethods} name their types and load them on first use of
 * {@link #paramsType()} or {@link #resultType()} ({@link #lazy}): touching the table does not load
 * the ~370 generated params and result types of every method, only those a client uses (issue 24,
 * a fast first answer).
 *
 * <pre>{@code
 * ClientMethod<ThreadStartParams, ThreadStartResponse> m = ClientMethods.THREAD_START;
 * ThreadStartResponse r = TypedCodec.result(m, response.result());
 * }</pre>
 *
 * @param <P> the params type
 * @param <R> the result type
 */
public final class ClientMethod<P, R> {
    private final String name;
    private final String paramsTypeName;
    private final String resultTypeName;
    private volatile @Nullable Class<P> paramsType;
    private volatile @Nullable Class<R> resultType;

    /**
     * All members required.
     *
     * @param name the method name on the wire, e.g. {@code "thread/start"}
     * @param paramsType the params type ({@code Void} when the method takes none)
     * @param resultType the result type
     */
    public ClientMethod(String name, Class<P> paramsType, Class<R> resultType) {
        this.name = Objects.requireNonNull(name, "name");
        this.paramsType = Objects.requireNonNull(paramsType, "paramsType");
        this.resultType = Objects.requireNonNull(resultType, "resultType");
        this.paramsTypeName = paramsType.getName();
        this.resultTypeName = resultType.getName();
    }

    private ClientMethod(String name, String paramsTypeName, String resultTypeName) {
        this.name = Objects.requireNonNull(name, "name");
        this.paramsTypeName = Objects.requireNonNull(paramsTypeName, "paramsTypeName");
        this.resultTypeName = Objects.requireNonNull(resultTypeName, "resultTypeName");
    }

    /**
     * A method whose types are loaded (by this class's loader) on first use, as the generated
     * {@link ClientMethods} declare theirs.
     *
     * @param name the method name on the wire
     * @param paramsTypeName the binary name of the params type ({@code java.lang.Void} for none)
     * @param resultTypeName the binary name of the result type
     * @param <P> the params type
     * @param <R> the result type
     * @return the method
     */
    public static <P, R> ClientMethod<P, R> lazy(String name, String paramsTypeName, String resultTypeName) {
        return new ClientMethod<>(name, paramsTypeName, resultTypeName);
    }

    /** @return the method name on the wire, e.g. {@code "thread/start"} */
    public String name() {
        return name;
    }

    /** @return the params type ({@code Void} when the method takes none) */
    public Class<P> paramsType() {
        Class<P> t = paramsType;
        if (t == null) {
            paramsType = t = load(paramsTypeName);
        }
        return t;
    }

    /** @return the result type */
    public Class<R> resultType() {
        Class<R> t = resultType;
        if (t == null) {
            resultType = t = load(resultTypeName);
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    private static <T> Class<T> load(String binaryName) {
        try {
            return (Class<T>) Class.forName(binaryName, false, ClientMethod.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the protocol type " + binaryName + " is missing from codex4j-core", e);
        }
    }

    /** @return whether {@code o} is a method of the same name and types */
    @Override
    public boolean equals(@Nullable Object o) {
        return o instanceof ClientMethod<?, ?> m && m.name.equals(name) && m.paramsTypeName.equals(paramsTypeName)
                && m.resultTypeName.equals(resultTypeName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, paramsTypeName, resultTypeName);
    }

    @Override
    public String toString() {
        return name;
    }
}
