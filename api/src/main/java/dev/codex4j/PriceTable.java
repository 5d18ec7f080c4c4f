package dev.codex4j;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The prices of models, as the user gives them: codex4j has none built in, since prices change.
 * One currency per table. A model that is not in the table has an {@linkplain Cost.Unknown unknown}
 * cost, never zero.
 *
 * <pre>{@code
 * PriceTable prices = PriceTable.builder("USD")
 *         .perMillionTokens("gpt-5.1-codex", "1.25", "0.125", "10.00")   // input, cached input, output
 *         .build();
 * Codex codex = Codex.builder().prices(prices).build();
 * }</pre>
 */
public final class PriceTable {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    /**
     * One model's prices per million tokens, in the table's currency.
     *
     * @param input uncached input tokens
     * @param cachedInput input tokens served from the cache
     * @param output output tokens that are not reasoning
     * @param reasoning reasoning output tokens
     */
    public record Price(BigDecimal input, BigDecimal cachedInput, BigDecimal output, BigDecimal reasoning) {
        /** @throws IllegalArgumentException when a price is negative */
        public Price {
            for (BigDecimal p : new BigDecimal[] {input, cachedInput, output, reasoning}) {
                if (Objects.requireNonNull(p, "price").signum() < 0) {
                    throw new IllegalArgumentException("a price must not be negative: " + p);
                }
            }
        }

        /**
         * @param tokens some tokens
         * @return what they cost at these prices (per million tokens), exactly
         */
        public BigDecimal costOf(TokenCount tokens) {
            return input.multiply(BigDecimal.valueOf(tokens.uncachedInputTokens()))
                    .add(cachedInput.multiply(BigDecimal.valueOf(Math.min(tokens.cachedInputTokens(), tokens.inputTokens()))))
                    .add(output.multiply(BigDecimal.valueOf(tokens.nonReasoningOutputTokens())))
                    .add(reasoning.multiply(BigDecimal.valueOf(Math.min(tokens.reasoningOutputTokens(), tokens.outputTokens()))))
                    .divide(MILLION, MathContext.DECIMAL128).stripTrailingZeros();
        }
    }

    private final String currency;
    private final Map<String, Price> prices;

    private PriceTable(Builder b) {
        this.currency = b.currency;
        this.prices = Map.copyOf(b.prices);
    }

    /**
     * @param currency the currency of every price (for example {@code USD}); only a label
     * @return a builder
     */
    public static Builder builder(String currency) {
        return new Builder(currency);
    }

    /** @return a table without prices: every cost is unknown */
    public static PriceTable none() {
        return builder("USD").build();
    }

    /** @return the currency */
    public String currency() {
        return currency;
    }

    /** @return the price of a model (by its exact slug), if given */
    public Optional<Price> price(@Nullable String model) {
        return model == null ? Optional.empty() : Optional.ofNullable(prices.get(model));
    }

    /** @return the prices by model */
    public Map<String, Price> prices() {
        return prices;
    }

    /**
     * @param model the model that spent the tokens (null: not known)
     * @param tokens the tokens
     * @return their cost, or {@link Cost.Unknown} when the model has no price
     */
    public Cost costOf(@Nullable String model, TokenCount tokens) {
        Price p = price(model).orElse(null);
        if (p == null) {
            return new Cost.Unknown(model == null ? "the model is not known" : "no price for model " + model);
        }
        return new Cost.Known(p.costOf(tokens), currency);
    }

    @Override
    public String toString() {
        return "PriceTable[" + currency + ", " + prices.keySet() + "]";
    }

    /** Builds a {@link PriceTable}. */
    public static final class Builder {
        private final String currency;
        private final Map<String, Price> prices = new LinkedHashMap<>();

        private Builder(String currency) {
            this.currency = Objects.requireNonNull(currency, "currency");
        }

        /**
         * @param model the model's slug, as the server names it
         * @param price its prices per million tokens
         * @return this builder
         */
        public Builder price(String model, Price price) {
            prices.put(Objects.requireNonNull(model, "model"), Objects.requireNonNull(price, "price"));
            return this;
        }

        /**
         * Prices per million tokens as decimal strings; reasoning tokens cost as output.
         *
         * @return this builder
         * @throws NumberFormatException when a price is not a decimal number
         */
        public Builder perMillionTokens(String model, String input, String cachedInput, String output) {
            BigDecimal out = new BigDecimal(output);
            return price(model, new Price(new BigDecimal(input), new BigDecimal(cachedInput), out, out));
        }

        /** @return the table */
        public PriceTable build() {
            return new PriceTable(this);
        }
    }
}
