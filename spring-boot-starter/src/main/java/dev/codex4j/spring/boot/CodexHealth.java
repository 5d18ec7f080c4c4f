package dev.codex4j.spring.boot;

import dev.codex4j.Codex;
import dev.codex4j.CodexClient;
import dev.codex4j.CodexFleet;
import dev.codex4j.protocol.types.Account;
import dev.codex4j.protocol.types.GetAccountResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What the health indicators of both Boot lines report, computed from the client (each line's
 * indicator, in {@link CodexHealthAutoConfiguration}, only copies a {@link Reading} into its
 * {@code Health}): {@code UP}
 * while connected (a fleet: while some endpoint is), {@code OUT_OF_SERVICE} once shutting down,
 * else {@code DOWN}; details: state, restarts, turns running, and the account (one
 * {@code account/read} request per check, unless {@code codex.health.account=false}). Runs on the
 * thread that asks for health; holds no state.
 */
public final class CodexHealth {
    /**
     * A health reading.
     *
     * @param status {@code UP}, {@code DOWN} or {@code OUT_OF_SERVICE}
     * @param details what it saw
     */
    public record Reading(String status, Map<String, Object> details) {
        /**
         * Copies the reading into a health builder of either Boot line.
         *
         * @param <B> the line's {@code Health.Builder}
         * @param status {@code Health::status}
         * @param withDetails {@code Health.Builder::withDetails}
         * @return the builder, with the status and the details
         */
        public <B> B to(Function<String, B> status, BiFunction<B, Map<String, ?>, B> withDetails) {
            return withDetails.apply(status.apply(this.status), details);
        }
    }

    private final CodexClient client;
    private final boolean account;

    /**
     * @param client the client
     * @param account whether to ask the server for the account
     */
    public CodexHealth(CodexClient client, boolean account) {
        this.client = client;
        this.account = account;
    }

    /** @return the client's health now; {@code DOWN} with the error when it cannot be read (never throws) */
    public Reading read() {
        try {
            return switch (client) {
                case Codex c -> read(c);
                case CodexFleet f -> read(f);
            };
        } catch (RuntimeException e) {
            return new Reading("DOWN", Map.of("error", e.getClass().getName() + ": " + e.getMessage()));
        }
    }

    private Reading read(Codex c) {
        Map<String, Object> d = details(c);
        String status = c.isShuttingDown() ? "OUT_OF_SERVICE" : c.isConnected() ? "UP" : "DOWN";
        return new Reading(status, d);
    }

    private Reading read(CodexFleet f) {
        Map<String, Object> d = new LinkedHashMap<>();
        boolean anyUp = false;
        boolean shuttingDown = false;
        for (CodexFleet.Endpoint e : f.endpoints()) {
            anyUp |= e.client().isConnected();
            shuttingDown |= e.client().isShuttingDown();
            d.put(e.name(), details(e.client()));
        }
        return new Reading(shuttingDown ? "OUT_OF_SERVICE" : anyUp ? "UP" : "DOWN", d);
    }

    private Map<String, Object> details(Codex c) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("state", c.state().name());
        d.put("restarts", c.restarts());
        d.put("activeTurns", c.activeTurns());
        if (account && c.isConnected()) {
            try {
                d.put("account", describe(c.account()));
            } catch (RuntimeException e) {
                d.put("account", "unknown: " + e.getMessage());
            }
        }
        return d;
    }

    private static String describe(GetAccountResponse r) {
        Account a = r.account();
        if (a == null) {
            return r.requiresOpenaiAuth() ? "none (the model provider needs one)" : "none (not needed)";
        }
        // The kind only: no e-mail or account id in a health endpoint.
        return switch (a) {
            case Account.ApiKey k -> "apiKey";
            case Account.Chatgpt g -> "chatgpt";
            case Account.AmazonBedrock b -> "amazonBedrock";
            case Account.Gcp g -> "gcp";
            case Account.Unknown u -> "unknown";
        };
    }
}
