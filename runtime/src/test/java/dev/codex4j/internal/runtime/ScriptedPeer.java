package dev.codex4j.internal.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.codex4j.protocol.JsonRpcMessage;
import dev.codex4j.protocol.ProtocolCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A minimal app-server peer for tests, over real OS pipes: the test script reads what the client
 * wrote and writes whatever lines it likes (including garbage) back.
 */
final class ScriptedPeer implements AutoCloseable {
    private final Pipe toClient;
    private final Pipe toServer;
    private final OutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final Thread reader;
    final StreamTransport transport;

    ScriptedPeer() {
        try {
            toClient = Pipe.open();
            toServer = Pipe.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        transport = new StreamTransport(Channels.newInputStream(toClient.source()),
                Channels.newOutputStream(toServer.sink()));
        out = Channels.newOutputStream(toClient.sink());
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(toServer.source()), UTF_8));
        reader = Thread.ofVirtual().name("scripted-peer-reader").start(() -> {
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    received.add(line);
                }
            } catch (IOException e) {
                // closed
            }
        });
    }

    /** Writes one raw line to the client. */
    void send(String line) {
        writeLock.lock();
        try {
            out.write((line + "\n").getBytes(UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writeLock.unlock();
        }
    }

    void send(JsonRpcMessage message) {
        send(ProtocolCodec.encode(message));
    }

    /** The next message the client wrote, decoded; fails after 5 s. */
    JsonRpcMessage next() throws InterruptedException {
        return next(Duration.ofSeconds(5));
    }

    JsonRpcMessage next(Duration max) throws InterruptedException {
        String line = received.poll(max.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("the client wrote nothing within " + max);
        }
        return ProtocolCodec.decode(line);
    }

    JsonRpcMessage.Request nextRequest() throws InterruptedException {
        return (JsonRpcMessage.Request) next();
    }

    /** The peer closes its output: the client sees end of stream. */
    void hangUp() {
        try {
            toClient.sink().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        toClient.sink().close();
        toServer.source().close();
        try {
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
