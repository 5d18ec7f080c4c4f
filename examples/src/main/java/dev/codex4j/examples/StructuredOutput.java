package dev.codex4j.examples;

import dev.codex4j.testkit.ModelReply;
import java.util.List;

/** Structured output: the answer comes back as a record, its JSON Schema derived from the type. */
public final class StructuredOutput {
    private StructuredOutput() {}

    /** The shape of the answer. */
    public record Review(String verdict, int score, List<String> issues) {}

    /** @param args unused */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> model.enqueue(ModelReply.message(
                "{\"verdict\":\"approve\",\"score\":8,\"issues\":[\"add a test for EOF\"]}")))) {
            Review review = session.codex().startThread().run("Review the last commit", Review.class);
            System.out.println(review);
        }
    }
}
