package dev.codex4j;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * What some tokens cost at the prices the user gave ({@link PriceTable}): {@link Known}, an amount
 * in the table's currency, or {@link Unknown}, when a model had no price. An unknown cost is never
 * reported as zero, and a sum with an unknown part is unknown.
 *
 * <p>Amounts are {@link BigDecimal}: exact decimal arithmetic, so that adding up millions of tiny
 * per-token amounts ({@code 0.00000125}) neither drifts as {@code double} does nor needs a money
 * library (no currency conversion happens here: one table, one currency).
 *
 * <pre>{@code
 * switch (result.cost()) {
 *     case Cost.Known k -> System.out.println(k.amount() + " " + k.currency());
 *     case Cost.Unknown u -> System.out.println("cost unknown: " + u.reason());
 * }
 * }</pre>
 */
public sealed interface Cost {
    /**
     * @param other another cost
     * @return the sum: known when both are (in the same currency), else unknown
     */
    Cost plus(Cost other);

    /** @return whether the amount is known */
    default boolean isKnown() {
        return this instanceof Known;
    }

    /**
     * @param currency the currency
     * @return a known cost of zero (nothing was spent yet)
     */
    static Cost zero(String currency) {
        return new Known(BigDecimal.ZERO, currency);
    }

    /**
     * A known amount.
     *
     * @param amount the amount, at least zero
     * @param currency the price table's currency (for example {@code USD})
     */
    record Known(BigDecimal amount, String currency) implements Cost {
        /**
         * Keeps the amount without trailing zeros, so that equal amounts are equal values
         * ({@code 0.00045} and {@code 0.000450}).
         *
         * @throws IllegalArgumentException when the amount is negative
         */
        public Known {
            Objects.requireNonNull(amount, "amount");
            Objects.requireNonNull(currency, "currency");
            if (amount.signum() < 0) {
                throw new IllegalArgumentException("a cost must not be negative: " + amount);
            }
            amount = amount.stripTrailingZeros();
        }

        @Override
        public Cost plus(Cost other) {
            return switch (other) {
                case Known k when k.currency.equals(currency) -> new Known(amount.add(k.amount), currency);
                case Known k -> new Unknown("costs in two currencies: " + currency + " and " + k.currency);
                case Unknown u -> u;
            };
        }
    }

    /**
     * The amount is not known.
     *
     * @param reason why (for example {@code no price for model gpt-x})
     */
    record Unknown(String reason) implements Cost {
        /** Checks. */
        public Unknown {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public Cost plus(Cost other) {
            return this;
        }
    }
}
