package dev.codex4j.protocol.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The scanner's string cache keeps the ids of many interleaved turns: a hit returns the same
 * String, so routing a line allocates nothing for its keys.
 */
class StringCacheTest {

    @Test
    void idsThatDifferOnlyInTheirLastCharactersDoNotEvictEachOther() {
        StringCache cache = new StringCache();
        List<byte[]> ids = new ArrayList<>();
        for (int n = 0; n < 64; n++) {
            // UUIDv7-shaped ids that share all but their last characters, as sequential ids do.
            ids.add(("01a20dce-f571-7893-8e83-" + String.format("%012x", n)).getBytes(UTF_8));
            // and a thread id of the same millisecond and tail: it differs in the middle alone
            ids.add(("01a20dce-f563-75b3-93fc-" + String.format("%012x", n)).getBytes(UTF_8));
            ids.add(("t-" + n).getBytes(UTF_8));
        }
        List<String> first = new ArrayList<>();
        for (byte[] id : ids) {
            first.add(cache.get(id, 0, id.length));
        }
        int hits = 0;
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < ids.size(); i++) {
                byte[] id = ids.get(i);
                String again = cache.get(id, 0, id.length);
                assertEquals(new String(id, UTF_8), again);
                if (again == first.get(i)) {
                    hits++;
                }
            }
        }
        // 192 keys in 4,096 slots: a few may share one (direct-mapped); before the hash was mixed
        // and read the middle, the 128 UUID-shaped ids all shared one slot and missed (hits <= 34%).
        assertTrue(hits >= 0.9 * 3 * ids.size(), hits + " hits of " + 3 * ids.size() + " interleaved lookups");
        byte[] padded = ("xx" + new String(ids.getFirst(), UTF_8) + "yy").getBytes(UTF_8);
        assertSame(first.getFirst(), cache.get(padded, 2, ids.getFirst().length), "found by its bytes at an offset");
    }
}
