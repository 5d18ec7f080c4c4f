package dev.codex4j.examples;

import dev.codex4j.CodexTool;
import dev.codex4j.RunResult;
import dev.codex4j.ThreadOptions;
import dev.codex4j.Tool;
import dev.codex4j.protocol.types.ThreadItem;
import dev.codex4j.testkit.ModelReply;
import java.time.Duration;
import java.util.Map;

/**
 * Java methods as tools the model calls: one built with {@link Tool#of}, one from an annotated
 * method ({@link CodexTool}). Offline, the mock model calls both, then answers with what they
 * returned; live ({@code CODEX4J_LIVE=1}), your model decides. Tools need the experimental API.
 */
public final class Tools {
    private Tools() {}

    /** The arguments of {@code lookup_order}: the schema the model sees is derived from it. */
    record OrderQuery(String orderId) {}

    /** What {@code lookup_order} returns; the model gets it as JSON. */
    record Order(String orderId, String status, int items) {}

    /** The arguments of {@code forecast}. */
    record City(String name) {}

    /** Tools as annotated methods of an object. */
    public static final class Weather {
        /**
         * @param city the city
         * @return the forecast, as text
         */
        @CodexTool(description = "Today's weather forecast for a city", timeoutSeconds = 10)
        public String forecast(City city) {
            return "Sunny and 21 C in " + city.name();
        }
    }

    /** @param args unused */
    public static void main(String[] args) {
        Map<String, Order> orders = Map.of("A-17", new Order("A-17", "shipped", 3));
        Tool lookup = Tool.of("lookup_order", "Looks an order up by its id", OrderQuery.class, q -> {
            Order o = orders.get(q.orderId());
            if (o == null) {
                throw new IllegalArgumentException("no order " + q.orderId()); // the model gets a tool error
            }
            return o;
        }).withTimeout(Duration.ofSeconds(5));

        try (ExampleSession session = ExampleSession.open(
                model -> model.defaultReply(request -> request.isToolFollowUp()
                        ? ModelReply.message("The tools said: " + request.toolOutputs().stream()
                                .map(o -> o.path("output").asString("?")).toList())
                        : ModelReply.functionCall("lookup_order", "{\"orderId\":\"A-17\"}")
                                .then(ModelReply.functionCall("forecast", "{\"name\":\"Lisbon\"}"))),
                b -> b.experimentalApi(true))) {
            var thread = session.codex().startThread(ThreadOptions.builder()
                    .tool(lookup)
                    .tools(Tool.from(new Weather()))
                    .build());
            RunResult r = thread.run("Where is order A-17, and will it rain in Lisbon?");
            for (ThreadItem.DynamicToolCall call : r.items(ThreadItem.DynamicToolCall.class)) {
                System.out.println("[tool] " + call.tool() + " " + call.arguments() + " -> success " + call.success());
            }
            System.out.println(r.finalResponse().orElse("(no answer)"));
        }
    }
}
