package dev.codex4j.testkit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * A request the {@link MockModelServer} received, kept for assertions and for choosing replies.
 *
 * <pre>{@code
 * RecordedRequest r = server.takeRequest(Duration.ofSeconds(5));
 * assertEquals("hi", r.lastUserText());
 * assertTrue(r.toolNames().contains("exec_command"));
 * }</pre>
 *
 * @param index the 0-based arrival number at the server
 * @param method the HTTP method
 * @param path the request path, for example {@code /v1/responses}
 * @param headers header values by lower-case name
 * @param body the JSON body, or a missing node when the body was not JSON
 * @param rawBody the body as text
 * @param receivedAt when it arrived
 */
public record RecordedRequest(int index, String method, String path, Map<String, List<String>> headers,
        JsonNode body, String rawBody, Instant receivedAt) {

    /** Copies the headers. */
    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /** @return the first value of a header, by case-insensitive name */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** @return the Codex thread id this request belongs to (the {@code thread-id} header) */
    public Optional<String> threadId() {
        return header("thread-id");
    }

    /** @return the {@code model} field of the body, or empty text */
    public String model() {
        return body.path("model").asString("");
    }

    /** @return the {@code input} items of the body */
    public List<JsonNode> input() {
        List<JsonNode> items = new ArrayList<>();
        body.path("input").forEach(items::add);
        return items;
    }

    /** @return the text of every user message in the input, in order */
    public List<String> userTexts() {
        List<String> texts = new ArrayList<>();
        for (JsonNode item : input()) {
            if ("message".equals(item.path("type").asString("")) && "user".equals(item.path("role").asString(""))) {
                StringBuilder sb = new StringBuilder();
                for (JsonNode c : item.path("content")) {
                    if (c.has("text")) {
                        sb.append(c.path("text").asString(""));
                    }
                }
                texts.add(sb.toString());
            }
        }
        return texts;
    }

    /** @return the text of the last user message (the prompt of the current turn), or empty text */
    public String lastUserText() {
        List<String> texts = userTexts();
        return texts.isEmpty() ? "" : texts.get(texts.size() - 1);
    }

    /** @return the {@code function_call_output} and {@code custom_tool_call_output} items of the input */
    public List<JsonNode> toolOutputs() {
        List<JsonNode> outputs = new ArrayList<>();
        for (JsonNode item : input()) {
            String type = item.path("type").asString("");
            if (type.equals("function_call_output") || type.equals("custom_tool_call_output")) {
                outputs.add(item);
            }
        }
        return outputs;
    }

    /** @return the output text Codex sent back for the given tool call id */
    public Optional<String> toolOutput(String callId) {
        return toolOutputs().stream().filter(o -> callId.equals(o.path("call_id").asString("")))
                .map(o -> o.path("output").isString() ? o.path("output").asString() : Json.write(o.path("output")))
                .findFirst();
    }

    /** @return true when the last input item is a tool output: this request asks for the follow-up reply */
    public boolean isToolFollowUp() {
        List<JsonNode> in = input();
        if (in.isEmpty()) {
            return false;
        }
        String type = in.get(in.size() - 1).path("type").asString("");
        return type.equals("function_call_output") || type.equals("custom_tool_call_output");
    }

    /** @return the names of the tools the request offers the model */
    public List<String> toolNames() {
        List<String> names = new ArrayList<>();
        body.path("tools").forEach(t -> names.add(t.path("name").asString(t.path("type").asString(""))));
        return names;
    }

    static JsonNode parseBody(String raw) {
        try {
            return Json.MAPPER.readTree(raw);
        } catch (RuntimeException e) {
            return MissingNode.getInstance();
        }
    }
}
