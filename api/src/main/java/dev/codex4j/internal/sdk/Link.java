package dev.codex4j.internal.sdk;

import dev.codex4j.internal.runtime.Connection;
import dev.codex4j.protocol.types.InitializeResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One connection to the server and what belongs to it: the initialize reply, and which threads
 * were resumed on it. A supervised client makes a new one at each restart; {@code generation}
 * counts them from 0. Made by {@link LinkOpener}, replaced only by the {@link Supervisor}.
 */
public final class Link {
    /** The connection. */
    public final Connection connection;
    /** Which link of the client this is, from 0. */
    public final long generation;
    /** The server's {@code initialize} reply. */
    public final InitializeResponse metadata;
    /** Threads resumed on this link after a restart (each once), by id: {@link Session#linkFor}. */
    final ConcurrentHashMap<String, CompletableFuture<Void>> resumed = new ConcurrentHashMap<>();

    Link(Connection connection, long generation, InitializeResponse metadata) {
        this.connection = connection;
        this.generation = generation;
        this.metadata = metadata;
    }
}
