package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.lang.System.Logger.Level;
import java.util.regex.Pattern;

/**
 * Every line in and out, at TRACE on the logger {@code dev.codex4j.wire}: truncated to
 * {@value #MAX_CHARS} characters, with the values of members that carry secrets (API keys, tokens,
 * passwords, credentials, private keys, passphrases) replaced by {@code "***"}, and so is any
 * value equal to a secret the SDK sent ({@link Secrets}) and any {@code Bearer} token, wherever they are. Costs one {@code isLoggable} check per line when off.
 */
final class WireLog {
    static final String NAME = "dev.codex4j.wire";
    static final int MAX_CHARS = 2_000;
    private static final System.Logger LOG = System.getLogger(NAME);
    /**
     * A member whose name says it holds a secret, with a string value: any name containing one of
     * these words, in any case, with {@code _}, {@code -} or nothing between the parts.
     */
    private static final Pattern SECRET = Pattern.compile(
            "(\"(?i:[a-z0-9_.-]*(?:api[_-]?key|token|secret|password|passwd|passphrase|authorization|cookie|bearer"
                    + "|credentials?|private[_-]?key|signing[_-]?key|session[_-]?key|jwt)[a-z0-9_.-]*)\"\\s*:\\s*)"
                    + "\"(?:[^\"\\\\]|\\\\.)*\"");

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

    /**
     * @return {@code text} with the values of secret-named members, every {@code Bearer} token and
     *     every value equal to a secret the SDK sent ({@link Secrets}) masked, truncated
     */
    static String redact(String text, int fullLength) {
        String r = Secrets.scrub(SECRET.matcher(text).replaceAll("$1\"***\""));
        if (r.length() > MAX_CHARS) {
            return r.substring(0, MAX_CHARS) + "... (" + fullLength + " in all)";
        }
        return r;
    }
}
