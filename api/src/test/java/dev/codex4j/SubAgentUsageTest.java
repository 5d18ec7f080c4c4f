package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.types.TurnStatus;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How a result adds its sub-agents' usage to its own: {@link RunResult#totalUsage()} and {@link RunResult#totalCost()}. */
class SubAgentUsageTest {
    private static final TokenCount OWN = new TokenCount(100, 0, 10, 0, 110);
    private static final TokenCount SUB = new TokenCount(200, 50, 20, 5, 220);

    private static RunResult.Builder result() {
        return RunResult.builder().turnId("t").status(TurnStatus.COMPLETED).turnUsage(OWN)
                .cost(new Cost.Known(new BigDecimal("0.01"), "USD"));
    }

    @Test
    void withoutSubAgentsTheTotalsAreTheTurnsOwn() {
        RunResult r = result().build();
        assertTrue(r.subAgentUsage().isEmpty());
        assertEquals(Optional.of(OWN), r.totalUsage());
        assertEquals(r.cost(), r.totalCost());
    }

    @Test
    void subAgentsAddTheirTokensAndCostButTurnUsageStaysTheTurnsOwn() {
        Map<String, TokenCount> by = new LinkedHashMap<>();
        by.put("child", SUB);
        RunResult r = result().subAgentUsage(new SubAgentUsage(SUB, new Cost.Known(new BigDecimal("0.02"), "USD"), by, true))
                .build();
        assertEquals(Optional.of(OWN), r.turnUsage());
        assertEquals(Optional.of(OWN.plus(SUB)), r.totalUsage());
        assertEquals(new Cost.Known(new BigDecimal("0.03"), "USD"), r.totalCost());
        assertEquals(1, r.subAgentUsage().orElseThrow().agents());
        assertTrue(r.toString().contains("subAgentUsage="), r.toString());
    }

    @Test
    void anUnknownSubAgentCostMakesTheTotalUnknownAndNoTurnUsageCountsAsZero() {
        RunResult r = RunResult.builder().turnId("t").status(TurnStatus.COMPLETED)
                .subAgentUsage(new SubAgentUsage(SUB, new Cost.Unknown("no price for model x"), Map.of("c", SUB), false))
                .build();
        assertEquals(Optional.of(SUB), r.totalUsage());
        assertEquals(new Cost.Unknown("not priced (no PriceTable)"), r.totalCost());
    }

    @Test
    void theMapKeepsItsOrderAndCannotBeChanged() {
        Map<String, TokenCount> by = new LinkedHashMap<>();
        by.put("b", SUB);
        by.put("a", OWN);
        SubAgentUsage u = new SubAgentUsage(SUB.plus(OWN), Cost.zero("USD"), by, true);
        assertEquals(List.of("b", "a"), List.copyOf(u.byThread().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> u.byThread().put("c", SUB));
    }

    @Test
    void theWaitMustNotBeNegative() {
        assertThrows(IllegalArgumentException.class,
                () -> TurnOptions.builder().subAgentUsage(Duration.ofSeconds(-1)).build());
        assertEquals(Duration.ZERO, TurnOptions.builder().subAgentUsage(Duration.ZERO).build().subAgentUsage());
        assertEquals(null, TurnOptions.defaults().subAgentUsage());
    }
}
