package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.testkit.AppServerMessages;
import dev.codex4j.testkit.FakeAppServer;
import dev.codex4j.testkit.ScriptStep;
import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

/**
 * Cost at the user's prices: exact per token kind, per turn (in the result), per thread and per
 * client; a model without a price is an unknown cost, never zero, and so is any sum with it.
 */
class CostTest {
    private static final PriceTable PRICES = PriceTable.builder("USD")
            .price("mock-model", new PriceTable.Price(new BigDecimal("1.25"), new BigDecimal("0.125"),
                    new BigDecimal("10"), new BigDecimal("20")))
            .build();

    @Test
    void aPriceCountsEachKindOfTokenExactly() {
        PriceTable.Price p = PRICES.price("mock-model").orElseThrow();
        // 1000 input of which 400 cached, 300 output of which 100 reasoning
        TokenCount t = new TokenCount(1000, 400, 300, 100, 1300);
        BigDecimal expected = new BigDecimal("0.00075").add(new BigDecimal("0.00005")).add(new BigDecimal("0.002"))
                .add(new BigDecimal("0.002"));
        assertEquals(0, expected.compareTo(p.costOf(t)), p.costOf(t).toPlainString());
        assertEquals(new Cost.Unknown("no price for model other"), PRICES.costOf("other", t));
        assertEquals(new Cost.Unknown("the model is not known"), PRICES.costOf(null, t));
        Cost known = PRICES.costOf("mock-model", t);
        assertInstanceOf(Cost.Unknown.class, known.plus(new Cost.Unknown("x")), "a sum with an unknown part is unknown");
        assertInstanceOf(Cost.Unknown.class, known.plus(Cost.zero("EUR")));
        assertThrows(IllegalArgumentException.class, () -> new Cost.Known(new BigDecimal("-1"), "USD"));
        assertThrows(NumberFormatException.class, () -> PriceTable.builder("USD").perMillionTokens("m", "x", "1", "1"));
    }

    private static FakeAppServer.Script answers() {
        return FakeAppServer.script().onRequest("turn/start", (req, out) -> {
            out.respond(AppServerMessages.turnStartResult(out.var("turnId")));
            out.run(ScriptStep.simpleTurn("ok")); // reports 100 input and 10 output tokens
        });
    }

    @Test
    void turnsThreadsAndTheClientArePricedAndAModelWithoutAPriceIsUnknown() {
        try (FakeAppServer fake = FakeAppServer.inProcess(answers());
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).prices(PRICES).build()) {
            CodexThread a = codex.startThread();
            RunResult r = a.run("q");
            assertEquals("mock-model", r.model().orElseThrow());
            BigDecimal oneTurn = new BigDecimal("0.000225"); // 100 x 1.25 + 10 x 10, per million
            assertEquals(new Cost.Known(oneTurn, "USD"), r.cost());
            a.run("again");
            assertEquals(new Spend(2, new TokenCount(200, 0, 20, 0, 220), new Cost.Known(new BigDecimal("0.00045"), "USD")),
                    a.spend());
            CodexThread b = codex.startThread();
            RunResult unpriced = b.run("q", TurnOptions.builder().model("unpriced-model").build());
            assertEquals(new Cost.Unknown("no price for model unpriced-model"), unpriced.cost());
            assertEquals(a.spend().cost(), new Cost.Known(new BigDecimal("0.00045"), "USD"), "thread a is still known");
            assertEquals(3, codex.spend().turns());
            assertTrue(!codex.spend().cost().isKnown(), "the client's cost has an unknown part: " + codex.spend());
            assertEquals(330, codex.spend().tokens().totalTokens());
        }
        try (FakeAppServer fake = FakeAppServer.inProcess(answers());
                Codex codex = Codex.builder().streams(fake.clientInput(), fake.clientOutput()).build()) {
            assertInstanceOf(Cost.Unknown.class, codex.startThread().run("q").cost(), "no price table: unknown, not zero");
        }
    }
}
