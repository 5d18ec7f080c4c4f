package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.ProtocolCodec;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.node.ObjectNode;

/**
 * Mints the signed bearer tokens that {@code codex app-server --ws-auth signed-bearer-token}
 * accepts: a JWT signed with HS256 and the shared secret, carrying {@code iss}, {@code aud},
 * {@code iat}, {@code nbf}, {@code exp} and a unique {@code jti}. The server requires {@code exp}
 * and a secret of at least 32 bytes, and checks {@code iss}, {@code aud} and {@code nbf} against its
 * flags (with {@code --ws-max-clock-skew-seconds} of slack). JDK crypto only.
 *
 * <pre>{@code
 * String jwt = SignedBearerTokens.mint(secret, "my-backend", "codex-fleet", Duration.ofSeconds(60), Instant.now());
 * }</pre>
 */
public final class SignedBearerTokens {
    /** The shortest secret the app-server accepts. */
    public static final int MIN_SECRET_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(UTF_8));

    private SignedBearerTokens() {}

    /**
     * @param secret the shared secret (at least {@value #MIN_SECRET_BYTES} bytes, as the server's file holds it
     *     without surrounding whitespace)
     * @param issuer the {@code iss} claim, or null for none
     * @param audience the {@code aud} claim, or null for none
     * @param ttl how long the token is valid (it is only used to open one connection)
     * @param now the current time
     * @return the token, {@code header.claims.signature}
     * @throws IllegalArgumentException when the secret is too short or the ttl not positive
     */
    public static String mint(byte[] secret, @org.jspecify.annotations.Nullable String issuer,
            @org.jspecify.annotations.Nullable String audience, Duration ttl, Instant now) {
        Objects.requireNonNull(secret, "secret");
        if (secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("The shared secret has " + secret.length + " bytes; the app-server needs at least "
                    + MIN_SECRET_BYTES);
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive: " + ttl);
        }
        long iat = now.getEpochSecond();
        ObjectNode claims = ProtocolCodec.emptyObject();
        if (issuer != null) {
            claims.put("iss", issuer);
        }
        if (audience != null) {
            claims.put("aud", audience);
        }
        claims.put("iat", iat);
        claims.put("nbf", iat);
        claims.put("exp", iat + Math.max(1, (ttl.toMillis() + 999) / 1000));
        claims.put("jti", UUID.randomUUID().toString());
        String signed = HEADER + "." + B64.encodeToString(claims.toString().getBytes(UTF_8));
        return signed + "." + B64.encodeToString(hmacSha256(secret, signed.getBytes(UTF_8)));
    }

    static byte[] hmacSha256(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /**
     * @param bytes a secret or token as a file holds it
     * @return the bytes without leading and trailing ASCII whitespace, as the app-server reads its files
     */
    public static byte[] strip(byte[] bytes) {
        int from = 0;
        int to = bytes.length;
        while (from < to && isSpace(bytes[from])) {
            from++;
        }
        while (to > from && isSpace(bytes[to - 1])) {
            to--;
        }
        return java.util.Arrays.copyOfRange(bytes, from, to);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t' || b == '\f' || b == 0x0B;
    }
}
