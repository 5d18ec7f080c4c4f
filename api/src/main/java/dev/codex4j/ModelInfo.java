package dev.codex4j;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * A model the server offers ({@code model/list}).
 *
 * <pre>{@code
 * codex.models().forEach(m -> System.out.println(m.id() + ": " + m.displayName()));
 * }</pre>
 *
 * @param id the model id to pass as {@code model}
 * @param displayName its display name
 * @param description its description
 * @param reasoningEfforts the reasoning efforts it supports
 * @param raw the model as sent
 */
public record ModelInfo(String id, String displayName, String description, List<String> reasoningEfforts,
        JsonNode raw) {

    /** Copies the list. */
    public ModelInfo {
        reasoningEfforts = List.copyOf(reasoningEfforts);
    }

    static ModelInfo of(JsonNode m) {
        List<String> efforts = new ArrayList<>();
        m.path("supportedReasoningEfforts").forEach(e -> efforts.add(e.path("reasoningEffort").asString("")));
        return new ModelInfo(m.path("id").asString(""), m.path("displayName").asString(""),
                m.path("description").asString(""), efforts, m);
    }
}
