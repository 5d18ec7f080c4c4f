package com.example.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codex4j.protocol.ProtocolCodec;
import org.junit.jupiter.api.Test;

class OldJacksonTest {
    @Test
    void bootManagesAnOldJacksonAnnotations() {
        assertEquals("2.19.2",
                com.fasterxml.jackson.annotation.JsonInclude.class.getPackage().getImplementationVersion());
    }

    @Test
    void theSdkSaysWhatIsWrongAndHowToFixIt() {
        ExceptionInInitializerError e = assertThrows(ExceptionInInitializerError.class, ProtocolCodec::emptyObject);
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
        String m = cause.getMessage();
        assertTrue(m.contains("com.fasterxml.jackson.core:jackson-annotations 2.21 or newer (found 2.19.2 in "), m);
        assertTrue(m.contains("lacks com.fasterxml.jackson.annotation.JsonSerializeAs"), m);
        assertTrue(m.contains("import dev.codex4j:codex4j-bom before it"), m);
    }
}
