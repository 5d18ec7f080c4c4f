package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.System.Logger.Level;
import java.util.regex.Pattern;

/**
 * Every line in and out, at TRACE on the logger {@code dev.codex4j.wire}: truncated to
 * {@value #MAX_CHARS} characters, with the values of members that carry secrets (API keys, tokens,
 * passwords) replaced by {@code "***"}. Costs one {@code isLoggable} check per line when off.
 */
final class WireLog {
    static final String NAME = "dev.codex4j.wire";
    static final int MAX_CHARS = 2_000;
    private static final System.Logger LOG = System.getLogger(NAME);
    private static final Pattern SECRET = Pattern.compile(
            "(\"(?i:[a-z_]*(?:api_?key|token|secret|password|authorization|cookie)[a-z_]*)\"\\s*:\\s*)\"(?:[^\"\\\\]|\\\\.)*\"");

    private WireLog() {}

    static boolean enabled() {
        return LOG.isLoggable(Level.TRACE);
    }

    static void in(byte[] line, int offset, int length) {
        if (enabled()) {
            LOG.log(Level.TRACE, "<- " + redact(new String(line, offset, Math.min(length, MAX_CHARS * 4), UTF_8), length));
        }
    }

    static void out(String line) {
        if (enabled()) {
            LOG.log(Level.TRACE, "-> " + redact(line, line.length()));
        }
    }

    static String redact(String text, int fullLength) {
        String r = SECRET.matcher(text).replaceAll("$1\"***\"");
        if (r.length() > MAX_CHARS) {
            return r.substring(0, MAX_CHARS) + "... (" + fullLength + " in all)";
        }
        return r;
    }
}
