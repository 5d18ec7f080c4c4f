package dev.codex4j.protocol;

import dev.codex4j.protocol.methods.ClientNotifications;
import java.util.Objects;

/**
 * A notification method a client sends, paired with its params type. The constants are in
 * {@link ClientNotifications}.
 *
 * <pre>{@code
 * String name = ClientNotifications.INITIALIZED.name();   // "initialized"
 * }</pre>
 *
 * @param name the method name on the wire
 * @param paramsType the params type ({@code Void} when it takes none)
 * @param <P> the params type
 */
public record ClientNotificationMethod<P>(String name, Class<P> paramsType) {
    /** All members required. */
    public ClientNotificationMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(paramsType, "paramsType");
    }

    @Override
    public String toString() {
        return name;
    }
}
