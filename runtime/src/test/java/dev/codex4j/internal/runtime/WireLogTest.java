package dev.codex4j.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The wire log's redaction: secret-named members, any Bearer token, and any secret the SDK sent. */
class WireLogTest {

    @Test
    void commonSecretNamesAreMasked() {
        for (String name : new String[] {"x-api-key", "api-key", "apiKey", "bearer", "credentials", "privateKey",
                "private_key", "passphrase", "client_secret", "accessToken", "Authorization"}) {
            String line = "{\"" + name + "\":\"hunter2-secret-value\",\"n\":1}";
            String r = WireLog.redact(line, line.length());
            assertFalse(r.contains("hunter2"), name + ": " + r);
            assertTrue(r.contains("\"***\""), name + ": " + r);
        }
    }

    @Test
    void aValueEqualToASecretTheSdkSentIsMaskedWhateverItsName() {
        String token = "known-" + System.nanoTime() + "-token-value";
        Secrets.remember(token);
        String line = "{\"note\":\"" + token + "\",\"text\":\"header was Bearer abc.def-123456\"}";
        String r = WireLog.redact(line, line.length());
        assertFalse(r.contains(token), r);
        assertFalse(r.contains("abc.def-123456"), r);
    }

    @Test
    void proseAboutABearerTokenIsLeftAlone() {
        String said = "invalid websocket bearer token";
        assertTrue(Secrets.scrub(said).equals(said), Secrets.scrub(said));
    }
}
