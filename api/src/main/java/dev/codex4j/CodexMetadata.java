package dev.codex4j;

import tools.jackson.databind.JsonNode;

/**
 * What the app-server said about itself in its {@code initialize} reply. It names no server: the
 * {@code userAgent} begins with the client's own name, then the CLI version.
 *
 * <pre>{@code
 * System.out.println(codex.metadata().userAgent());
 * }</pre>
 *
 * @param userAgent for example {@code my-app/0.169.0 (Debian 12; x86_64) ...}
 * @param codexHome the server's CODEX_HOME
 * @param platformFamily for example {@code unix}
 * @param platformOs for example {@code linux}
 * @param raw the whole initialize result
 */
public record CodexMetadata(String userAgent, String codexHome, String platformFamily, String platformOs,
        JsonNode raw) {

    static CodexMetadata of(JsonNode r) {
        return new CodexMetadata(r.path("userAgent").asString(""), r.path("codexHome").asString(""),
                r.path("platformFamily").asString(""), r.path("platformOs").asString(""), r);
    }
}
