package dev.codex4j.internal.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The secrets this JVM's SDK has sent (bearer tokens, minted JWTs, API keys), so that no text it
 * quotes from a server (a refused handshake's body that echoes the request) and no wire-log line
 * carries one: {@link #scrub} replaces each with {@code ***}. It remembers the
 * {@value #REMEMBERED} most recent secrets (a JWT is minted per connection), under one lock.
 *
 * <pre>{@code
 * Secrets.remember(token);
 * String safe = Secrets.scrub(serverText);
 * }</pre>
 */
public final class Secrets {
    static final int REMEMBERED = 64;
    /** Shorter values are not secrets worth the false positives. */
    static final int MIN_LENGTH = 8;
    static final String MASK = "***";
    /** A bearer token in a header or prose: at least 8 characters, one of them not a letter (not "bearer token"). */
    private static final Pattern BEARER =
            Pattern.compile("(?i)(bearer\\s+)(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}");

    private static final ReentrantLock LOCK = new ReentrantLock();
    /** Guarded by LOCK; the oldest first. */
    private static final ArrayDeque<String> KNOWN = new ArrayDeque<>();
    /** Read without the lock by {@link #scrub}: a snapshot replaced on every change. */
    private static volatile List<String> snapshot = List.of();

    private Secrets() {}

    /**
     * Remembers a secret the SDK sends (ignored when null or shorter than {@value #MIN_LENGTH}): the
     * transports' tokens and minted JWTs, and the SDK's API keys ({@code loginWithApiKey}).
     *
     * @param secret the value never to quote
     */
    public static void remember(@Nullable String secret) {
        if (secret == null || secret.length() < MIN_LENGTH) {
            return;
        }
        LOCK.lock();
        try {
            if (KNOWN.contains(secret)) {
                return;
            }
            KNOWN.addLast(secret);
            if (KNOWN.size() > REMEMBERED) {
                KNOWN.removeFirst();
            }
            snapshot = List.copyOf(new ArrayList<>(KNOWN));
        } finally {
            LOCK.unlock();
        }
    }

    /**
     * @param text a text that may quote what the SDK sent (a server's error message, a refusal)
     * @return {@code text} with every remembered secret and every {@code Bearer <token>} masked
     */
    public static String scrub(String text) {
        String r = text;
        for (String s : snapshot) {
            if (r.contains(s)) {
                r = r.replace(s, MASK);
            }
        }
        Matcher m = BEARER.matcher(r);
        return m.find() ? m.replaceAll("$1" + Matcher.quoteReplacement(MASK)) : r;
    }

    /**
     * @param text any text
     * @return whether {@code text} holds a remembered secret
     */
    public static boolean holdsAny(String text) {
        for (String s : snapshot) {
            if (text.contains(s)) {
                return true;
            }
        }
        return false;
    }
}
