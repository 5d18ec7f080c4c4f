package dev.codex4j;

import dev.codex4j.internal.sdk.JsonShape;
import dev.codex4j.protocol.types.DynamicToolCallOutputContentItem;
import dev.codex4j.protocol.types.DynamicToolCallResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import tools.jackson.core.JacksonException;

/**
 * What a {@link Tool} call gives the model: whether it succeeded and its content, text and images
 * (the protocol's {@code DynamicToolCallOutputContentItem}s). Immutable.
 *
 * <pre>{@code
 * Tool chart = Tool.of("chart", "Draws the sales chart", ChartQuery.class, q -> ToolOutput.text("Sales for " + q.year())
 *         .and(ToolOutput.image("data:image/png;base64," + base64Png(q))));
 * }</pre>
 *
 * @param success whether the call succeeded ({@code false}: the model is told it failed)
 * @param items the content, in order (copied)
 */
public record ToolOutput(boolean success, List<DynamicToolCallOutputContentItem> items) {

    /** Copies the items. */
    public ToolOutput {
        items = List.copyOf(Objects.requireNonNull(items, "items"));
    }

    /** @return a successful output of one text */
    public static ToolOutput text(String text) {
        return new ToolOutput(true, List.of(textItem(text)));
    }

    /**
     * @param value any value Jackson writes (a record, a map, a list, a {@code JsonNode}, ...)
     * @return a successful output of the value's JSON text
     * @throws IllegalArgumentException when Jackson cannot write it
     */
    public static ToolOutput json(Object value) {
        try {
            return text(JsonShape.MAPPER.writeValueAsString(value));
        } catch (JacksonException e) {
            throw new IllegalArgumentException("The tool's result cannot be written as JSON ("
                    + (value == null ? "null" : value.getClass().getName()) + "): " + e.getOriginalMessage(), e);
        }
    }

    /**
     * @param imageUrl an {@code https:} or {@code data:image/png;base64,...} URL
     * @return a successful output of one image
     */
    public static ToolOutput image(String imageUrl) {
        return new ToolOutput(true, List.of(DynamicToolCallOutputContentItem.InputImage.builder()
                .imageUrl(Objects.requireNonNull(imageUrl, "imageUrl")).build()));
    }

    /**
     * @param message why the call failed, for the model
     * @return a failed output ({@code success:false}) with that text
     */
    public static ToolOutput error(String message) {
        return new ToolOutput(false, List.of(textItem(message)));
    }

    /**
     * @param more content to append
     * @return this output followed by {@code more}'s items; it succeeds only when both do
     */
    public ToolOutput and(ToolOutput more) {
        List<DynamicToolCallOutputContentItem> all = new ArrayList<>(items);
        all.addAll(more.items);
        return new ToolOutput(success && more.success, all);
    }

    /** @return the {@code item/tool/call} reply */
    DynamicToolCallResponse response() {
        return DynamicToolCallResponse.builder().success(success).contentItems(items).build();
    }

    private static DynamicToolCallOutputContentItem textItem(String text) {
        return DynamicToolCallOutputContentItem.InputText.builder().text(Objects.requireNonNull(text, "text")).build();
    }
}
