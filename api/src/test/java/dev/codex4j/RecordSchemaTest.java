package dev.codex4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.codex4j.errors.StructuredOutputException;
import dev.codex4j.protocol.ProtocolCodec;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Structured output's schema and strict binder: they agree, and nothing is coerced or dropped. */
class RecordSchemaTest {
    private static JsonNode json(String s) {
        return ProtocolCodec.mapper().readTree(s);
    }

    record Verdict(boolean ok, int score, @Nullable String reason) {}

    enum Mood {
        HAPPY("happy"), SAD("sad");

        private final String wire;

        Mood(String wire) {
            this.wire = wire;
        }

        @JsonValue
        String wire() {
            return wire;
        }
    }

    record Finding(@JsonProperty("file_path") String path, long line, Mood mood) {}

    record Review(@JsonProperty("is_ok") boolean ok, List<Finding> findings, Optional<String> summary,
            String[] tags, double weight, BigDecimal cost, Optional<Finding> worst) {}

    private static StructuredOutputException fails(RecordSchema<?> s, String answer) {
        StructuredOutputException e = assertThrows(StructuredOutputException.class, () -> s.bind(answer));
        assertEquals(answer, e.answer(), "the exception carries the raw answer");
        return e;
    }

    @Test
    void theSchemaIsStrictWithEveryComponentRequiredAndNullOnlyWhereAllowed() {
        assertEquals(json("""
                {"type":"object","properties":{
                   "ok":{"type":"boolean"},
                   "score":{"type":"integer"},
                   "reason":{"anyOf":[{"type":"string"},{"type":"null"}]}},
                 "required":["ok","score","reason"],"additionalProperties":false}"""),
                RecordSchema.of(Verdict.class).schema());
        assertEquals(RecordSchema.of(Verdict.class).schema(), JsonSchemas.of(Verdict.class));
    }

    @Test
    void namesAndEnumValuesAreTheOnesJacksonBinds() {
        JsonNode s = RecordSchema.of(Review.class).schema();
        assertEquals(json("[\"is_ok\",\"findings\",\"summary\",\"tags\",\"weight\",\"cost\",\"worst\"]"), s.path("required"));
        JsonNode finding = s.at("/properties/findings/items");
        assertEquals(json("[\"file_path\",\"line\",\"mood\"]"), finding.path("required"));
        assertEquals(json("{\"type\":\"string\",\"enum\":[\"happy\",\"sad\"]}"), finding.at("/properties/mood"));
        assertEquals("array", s.at("/properties/tags/type").asString());
        assertEquals("number", s.at("/properties/cost/type").asString());
        assertEquals(finding, s.at("/properties/worst/anyOf/0"));
        assertEquals("null", s.at("/properties/summary/anyOf/1/type").asString());
    }

    @Test
    void anAnswerWithTheSchemasShapeBindsExactly() {
        Review r = RecordSchema.of(Review.class).bind("""
                {"is_ok":true,"findings":[{"file_path":"a.java","line":3,"mood":"sad"}],"summary":null,
                 "tags":["x"],"weight":0.5,"cost":1.25,"worst":{"file_path":"b.java","line":9,"mood":"happy"}}""");
        assertTrue(r.ok());
        assertEquals(List.of(new Finding("a.java", 3, Mood.SAD)), r.findings());
        assertEquals(Optional.empty(), r.summary());
        assertEquals(Optional.of(new Finding("b.java", 9, Mood.HAPPY)), r.worst());
        assertEquals(new BigDecimal("1.25"), r.cost());
        assertEquals(new Verdict(false, 0, null), RecordSchema.of(Verdict.class).bind("{\"ok\":false,\"score\":0,\"reason\":null}"));
    }

    @Test
    void whatJacksonWritesForAValueIsWhatTheSchemaAcceptsAndBindsBackEqual() {
        Finding f = new Finding("x.java", 1, Mood.HAPPY);
        String written = dev.codex4j.internal.sdk.JsonShape.MAPPER.writeValueAsString(f);
        assertEquals(f, RecordSchema.of(Finding.class).bind(written));
    }

    @Test
    void anEmptyObjectIsAMissingMemberNeverDefaults() {
        StructuredOutputException e = fails(RecordSchema.of(Verdict.class), "{}");
        assertEquals("$.ok", e.path());
        assertEquals("The answer does not match Verdict at $.ok: missing required member (in Verdict)", e.getMessage());
    }

    @Test
    void aMistypedValueIsNamedByItsPath() {
        RecordSchema<Verdict> s = RecordSchema.of(Verdict.class);
        assertEquals("$.score", fails(s, "{\"ok\":true,\"score\":\"5\",\"reason\":null}").path());
        assertTrue(fails(s, "{\"ok\":\"true\",\"score\":5,\"reason\":null}").getMessage()
                .endsWith("$.ok: expected a boolean, got the string \"true\""));
        assertTrue(fails(s, "{\"ok\":true,\"score\":5.5,\"reason\":null}").getMessage()
                .endsWith("expected an integer, got the number 5.5"));
        assertTrue(fails(s, "{\"ok\":true,\"score\":3000000000,\"reason\":null}").getMessage()
                .endsWith("$.score: expected an integer within int, got 3000000000"));
        assertEquals("$.findings[0].mood", fails(RecordSchema.of(Review.class), """
                {"is_ok":true,"findings":[{"file_path":"a","line":1,"mood":"HAPPY"}],"summary":null,"tags":[],
                 "weight":1,"cost":1,"worst":null}""").path());
    }

    @Test
    void nullIsAnErrorForAPrimitiveAndForANonNullableComponent() {
        RecordSchema<Verdict> s = RecordSchema.of(Verdict.class);
        assertTrue(fails(s, "{\"ok\":null,\"score\":5,\"reason\":null}").getMessage().endsWith("$.ok: expected a boolean, got null"));
        assertEquals("$.findings[0].file_path", fails(RecordSchema.of(Review.class), """
                {"is_ok":true,"findings":[{"file_path":null,"line":1,"mood":"sad"}],"summary":null,"tags":[],
                 "weight":1,"cost":1,"worst":null}""").path());
    }

    @Test
    void anUnknownMemberARepeatedMemberAndTrailingTextAreErrors() {
        RecordSchema<Verdict> s = RecordSchema.of(Verdict.class);
        assertEquals("$.extra", fails(s, "{\"ok\":true,\"score\":5,\"reason\":null,\"extra\":1}").path());
        assertEquals("$", fails(s, "{\"ok\":true,\"ok\":false,\"score\":5,\"reason\":null}").path());
        assertEquals("$", fails(s, "{\"ok\":true,\"score\":5,\"reason\":null} and more").path());
        assertTrue(fails(s, "Sure! Here it is").getMessage().startsWith("The answer is not one JSON value"));
        assertEquals("$", fails(s, "[1]").path());
    }

    record Loop(Loop next) {}

    record WithMap(Map<String, String> m) {}

    record WithSet(Set<String> s) {}

    record WithIgnored(String a, @JsonIgnore String b) {}

    @Test
    void typesWithoutAStrictSchemaAreRejectedBeforeAnythingIsSent() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordSchema.of(Loop.class)).getMessage()
                .contains("contains itself"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordSchema.of(WithMap.class)).getMessage()
                .contains("WithMap.m"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordSchema.of(WithSet.class)).getMessage()
                .contains("use a List"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordSchema.of(WithIgnored.class)).getMessage()
                .contains("WithIgnored.b"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RecordSchema.of(String.class)).getMessage()
                .contains("needs a record"));
        assertThrows(IllegalArgumentException.class, () -> JsonSchemas.of(Map.class));
        assertEquals(json("{\"type\":\"string\",\"enum\":[\"happy\",\"sad\"]}"), JsonSchemas.of(Mood.class));
    }
}
