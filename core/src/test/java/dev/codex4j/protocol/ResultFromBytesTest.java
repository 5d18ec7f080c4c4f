package dev.codex4j.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.codex4j.errors.DecodeException;
import dev.codex4j.errors.MemberNotBoundException;
import dev.codex4j.errors.ProtocolException;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.types.ThreadReadResponse;
import dev.codex4j.protocol.types.ThreadSetNameResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link TypedCodec#result(ClientMethod, byte[], int, int)} gives what the tree path gives, errors included. */
class ResultFromBytesTest {
    private static byte[] bytes(String line) {
        return line.getBytes(StandardCharsets.UTF_8);
    }

    private static Object viaTree(ClientMethod<?, ?> m, String line) {
        return TypedCodec.result(m, ((JsonRpcMessage.Response) ProtocolCodec.decode(line)).result());
    }

    private static Object viaBytes(ClientMethod<?, ?> m, String line) {
        byte[] b = bytes("  " + line + "  ");
        return TypedCodec.result(m, b, 2, b.length - 4);
    }

    @Test
    void bindsTheResultWhereverItIsInTheLine() {
        String first = "{\"result\":{\"extra\":[1,{\"a\":null}]},\"id\":7}";
        String last = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"extra\":[1,{\"a\":null}]}}";
        for (String line : new String[] {first, last}) {
            assertEquals(TypedCodec.params(viaTree(ClientMethods.THREAD_NAME_SET, line)),
                    TypedCodec.params(viaBytes(ClientMethods.THREAD_NAME_SET, line)));
        }
        assertEquals(ThreadSetNameResponse.class, viaBytes(ClientMethods.THREAD_NAME_SET, "{\"id\":1,\"result\":{}}").getClass());
    }

    @Test
    void aMemberThatDoesNotBindFailsWhenReadAsOnTheTreePath() {
        // strict at the member (issue 23): the result binds, and reading the mistyped member throws
        String line = "{\"id\":1,\"result\":{\"thread\":{\"id\":42}}}";
        ThreadReadResponse tree = (ThreadReadResponse) viaTree(ClientMethods.THREAD_READ, line);
        ThreadReadResponse fromBytes = (ThreadReadResponse) viaBytes(ClientMethods.THREAD_READ, line);
        MemberNotBoundException a = assertThrows(MemberNotBoundException.class, () -> tree.thread().id());
        MemberNotBoundException b = assertThrows(MemberNotBoundException.class, () -> fromBytes.thread().id());
        assertEquals(a.getMessage(), b.getMessage());
        assertEquals(TypedCodec.params(tree), TypedCodec.params(fromBytes), "both keep the raw member");
    }

    @Test
    void aResultThatIsNotAnObjectFailsAsOnTheTreePath() {
        String line = "{\"id\":1,\"result\":[1]}";
        DecodeException tree = assertThrows(DecodeException.class, () -> viaTree(ClientMethods.THREAD_READ, line));
        DecodeException fromBytes = assertThrows(DecodeException.class, () -> viaBytes(ClientMethods.THREAD_READ, line));
        assertEquals(tree.getMessage(), fromBytes.getMessage());
    }

    @Test
    void whatIsNotAResponseIsAProtocolException() {
        assertThrows(ProtocolException.class, () -> viaBytes(ClientMethods.THREAD_READ,
                "{\"id\":1,\"error\":{\"code\":-32600,\"message\":\"no\"}}"));
        assertThrows(ProtocolException.class, () -> viaBytes(ClientMethods.THREAD_READ, "{\"id\":1,\"result\":{}"));
        assertThrows(ProtocolException.class, () -> viaBytes(ClientMethods.THREAD_READ, "{\"id\":1,\"result\":{}} x"));
        assertThrows(ProtocolException.class, () -> viaBytes(ClientMethods.THREAD_READ, "[1]"));
    }
}
