package dev.codex4j.opentelemetry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The traceparent that goes on the wire (CodexTelemetryIT shows the real CLI ignores one with flags 03). */
class RequestSpansTest {
    private static final String ID = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-";

    @Test
    void onlyTheSampledFlagIsKept() {
        assertEquals(ID + "01", RequestSpans.levelOne(ID + "03"));
        assertEquals(ID + "00", RequestSpans.levelOne(ID + "02"));
        assertEquals(ID + "01", RequestSpans.levelOne(ID + "01"));
        assertEquals(ID + "00", RequestSpans.levelOne(ID + "00"));
        assertEquals(ID + "01", RequestSpans.levelOne(ID + "ff"));
    }

    @Test
    void anythingElseIsSentAsItIs() {
        assertEquals("01-abc", RequestSpans.levelOne("01-abc"));
        assertNull(RequestSpans.levelOne(null));
    }
}
