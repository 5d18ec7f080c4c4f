package dev.codex4j;

import dev.codex4j.internal.runtime.SignedBearerTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How the client proves itself to an app-server reached over a WebSocket
 * ({@link CodexBuilder#connect(java.net.URI, ServerAuth)}): nothing, a capability token, or a
 * signed bearer token (a JWT) minted for each connection. Either token goes in the opening
 * handshake as {@code Authorization: Bearer <token>}; a server that refuses it fails the build with
 * {@link dev.codex4j.errors.AuthenticationException}. They match the server's flags:
 *
 * <ul>
 *   <li>{@link #capabilityToken(Path)}: {@code codex app-server --ws-auth capability-token
 *       --ws-token-file F} (or {@code --ws-token-sha256 HEX} of the same token);
 *   <li>{@link #signedBearerToken()}: {@code --ws-auth signed-bearer-token --ws-shared-secret-file F
 *       [--ws-issuer I] [--ws-audience A] [--ws-max-clock-skew-seconds S]}: an HS256 JWT with
 *       {@code iss}, {@code aud}, {@code iat}, {@code nbf}, {@code exp} = now + ttl.
 * </ul>
 *
 * <p>Files are read again for each connection (a rotated token or secret is picked up), and, as
 * the server reads its own files, without surrounding whitespace. The client sends a token only
 * over {@code wss://}, a unix socket or a loopback {@code ws://} address, never in clear text
 * across a network.
 *
 * <pre>{@code
 * Codex codex = Codex.builder()
 *         .connect(URI.create("wss://codex-1.internal:4500"),
 *                 ServerAuth.signedBearerToken()
 *                         .secretFile(Path.of("/etc/codex/ws-secret"))
 *                         .issuer("my-backend").audience("codex-fleet")
 *                         .build())
 *         .build();
 * }</pre>
 */
public sealed interface ServerAuth permits ServerAuth.None, ServerAuth.CapabilityToken, ServerAuth.SignedBearerToken {

    /** @return no token: for a unix socket or a loopback server started without {@code --ws-auth} */
    static ServerAuth none() {
        return None.INSTANCE;
    }

    /**
     * @param tokenFile a file holding the token (read at each connection, surrounding whitespace ignored)
     * @return a capability token from a file
     */
    static ServerAuth capabilityToken(Path tokenFile) {
        Objects.requireNonNull(tokenFile, "tokenFile");
        return new CapabilityToken(() -> new String(readSecret(tokenFile, "capability token"), StandardCharsets.UTF_8));
    }

    /**
     * @param token supplies the token (called at each connection: a secret store, a vault)
     * @return a capability token from a supplier
     */
    static ServerAuth capabilityToken(Supplier<String> token) {
        return new CapabilityToken(token);
    }

    /** @return a builder of a signed bearer token (JWT) minted per connection */
    static SignedBearerToken.Builder signedBearerToken() {
        return new SignedBearerToken.Builder();
    }

    /** Sends no token. */
    record None() implements ServerAuth {
        static final None INSTANCE = new None();

        @Override
        public String toString() {
            return "ServerAuth.none()";
        }
    }

    /**
     * A capability token: the same secret on both sides.
     *
     * @param token supplies the token, once per connection
     */
    record CapabilityToken(Supplier<String> token) implements ServerAuth {
        /** Checks the supplier. */
        public CapabilityToken {
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "ServerAuth.capabilityToken(...)";
        }
    }

    /**
     * A JWT signed with HS256 and a shared secret, minted for each connection with a short expiry.
     *
     * @param secret supplies the shared secret (at least 32 bytes), once per connection
     * @param issuer the {@code iss} claim ({@code --ws-issuer}), or null
     * @param audience the {@code aud} claim ({@code --ws-audience}), or null
     * @param ttl how long each token is valid (60 s by default): it only opens one connection
     */
    record SignedBearerToken(Supplier<byte[]> secret, @Nullable String issuer, @Nullable String audience, Duration ttl)
            implements ServerAuth {
        /** Checks the values. */
        public SignedBearerToken {
            Objects.requireNonNull(secret, "secret");
            if (ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl must be positive: " + ttl);
            }
        }

        /**
         * @param now the time the token is minted at
         * @return a fresh token
         * @throws IllegalArgumentException when the secret is shorter than 32 bytes
         */
        public String mint(Instant now) {
            return SignedBearerTokens.mint(secret.get(), issuer, audience, ttl, now);
        }

        @Override
        public String toString() {
            return "ServerAuth.signedBearerToken(issuer=" + issuer + ", audience=" + audience + ", ttl=" + ttl + ")";
        }

        /**
         * Builds a {@link SignedBearerToken}; a secret is required.
         *
         * <pre>{@code
         * ServerAuth auth = ServerAuth.signedBearerToken().secret(vault::codexSecret).audience("codex").build();
         * }</pre>
         */
        public static final class Builder {
            private @Nullable Supplier<byte[]> secret;
            private @Nullable String issuer;
            private @Nullable String audience;
            private Duration ttl = Duration.ofSeconds(60);

            private Builder() {}

            /** @return this, with the shared secret read from a file at each connection (whitespace around it ignored) */
            public Builder secretFile(Path file) {
                Objects.requireNonNull(file, "file");
                this.secret = () -> readSecret(file, "shared secret");
                return this;
            }

            /** @return this, with the shared secret from a supplier, called at each connection */
            public Builder secret(Supplier<byte[]> secret) {
                this.secret = Objects.requireNonNull(secret, "secret");
                return this;
            }

            /** @return this, with the {@code iss} claim the server expects ({@code --ws-issuer}) */
            public Builder issuer(String issuer) {
                this.issuer = Objects.requireNonNull(issuer, "issuer");
                return this;
            }

            /** @return this, with the {@code aud} claim the server expects ({@code --ws-audience}) */
            public Builder audience(String audience) {
                this.audience = Objects.requireNonNull(audience, "audience");
                return this;
            }

            /** @return this, with how long each minted token is valid (60 s by default) */
            public Builder ttl(Duration ttl) {
                this.ttl = Objects.requireNonNull(ttl, "ttl");
                return this;
            }

            /**
             * @return the auth
             * @throws IllegalStateException when no secret was given
             */
            public SignedBearerToken build() {
                if (secret == null) {
                    throw new IllegalStateException("a signed bearer token needs a secret: secretFile(...) or secret(...)");
                }
                return new SignedBearerToken(secret, issuer, audience, ttl);
            }
        }
    }

    private static byte[] readSecret(Path file, String what) {
        try {
            return SignedBearerTokens.strip(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the " + what + " from " + file + ": " + e.getMessage(), e);
        }
    }
}
