package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ProtocolCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The HS256 tokens the app-server's signed-bearer-token mode checks (it accepts them too: SocketTransportsIT). */
class SignedBearerTokensTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);

    @Test
    void aTokenIsSignedWithTheSecretAndCarriesTheClaimsTheServerChecks() {
        Instant now = Instant.ofEpochSecond(1_800_000_000L);
        String jwt = SignedBearerTokens.mint(SECRET, "backend", "fleet", Duration.ofSeconds(90), now);
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length);
        Base64.Decoder b64 = Base64.getUrlDecoder();
        assertEquals("HS256", ProtocolCodec.mapper().readTree(b64.decode(parts[0])).path("alg").asString());
        JsonNode claims = ProtocolCodec.mapper().readTree(b64.decode(parts[1]));
        assertEquals("backend", claims.path("iss").asString());
        assertEquals("fleet", claims.path("aud").asString());
        assertEquals(1_800_000_000L, claims.path("iat").asLong());
        assertEquals(1_800_000_000L, claims.path("nbf").asLong());
        assertEquals(1_800_000_090L, claims.path("exp").asLong());
        assertArrayEquals(SignedBearerTokens.hmacSha256(SECRET, (parts[0] + "." + parts[1]).getBytes(UTF_8)),
                b64.decode(parts[2]));
    }

    @Test
    void eachTokenIsUnique() {
        Instant now = Instant.now();
        assertNotEquals(SignedBearerTokens.mint(SECRET, null, null, Duration.ofSeconds(1), now),
                SignedBearerTokens.mint(SECRET, null, null, Duration.ofSeconds(1), now));
    }

    @Test
    void aSecretShorterThanTheServerAcceptsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SignedBearerTokens.mint(new byte[31], null, null, Duration.ofSeconds(1), Instant.now()));
        assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
    }

    @Test
    void whitespaceAroundAFilesSecretIsIgnoredAsTheServerDoes() {
        assertArrayEquals("tok en".getBytes(UTF_8), SignedBearerTokens.strip(" \ttok en\r\n".getBytes(UTF_8)));
    }
}
