package dev.codex4j.internal.runtime;

import java.io.IOException;
import java.io.InputStream;

/**
 * The read side of a client WebSocket link, owned by the connection's dispatcher (its only
 * caller): it parses the server's frames straight from the stream and presents the messages as
 * lines. A data frame's payload is copied into the caller's buffer (line breaks blanked), a
 * {@code \n} follows the last frame of each message, so fragmented messages come out as one line.
 * A read returns what is buffered without blocking again, and {@link #available()} counts the
 * payload bytes a read can return without touching the stream.
 *
 * <p>Control frames go to the {@link Control}: a ping to be answered (the writer keeps at most one
 * pong), a pong as a sign of life, a close frame, which is answered and ends the stream. The end of
 * the stream always ends the link ({@code -1}), whatever frame was open: nothing waits for a peer
 * that is gone.
 *
 * <pre>{@code
 * WebSocketFrameReader r = new WebSocketFrameReader(in, leftover, "unix:///run/codex.sock", control);
 * int n = r.read(buf, 0, buf.length);
 * }</pre>
 */
final class WebSocketFrameReader {
    private static final int READ_BUFFER = 1 << 16;

    /** What the reader tells its link; every call is on the reader's thread and must not block. */
    interface Control {
        /** The peer sent something: it is alive. */
        void heard();

        /** A ping came: answer it with a pong carrying {@code payload[0, length)}. */
        void ping(byte[] payload, int length);

        /** A close frame came: answer it (with {@code payload[0, length)}, its status code). */
        void closed(byte[] payload, int length);
    }

    private final InputStream stream;
    private final String where;
    private final Control control;
    // The bytes read and not yet consumed are in[position, limit).
    private byte[] in;
    private int position;
    private int limit;
    private long payloadLeft;
    private boolean inDataFrame;
    private boolean dataFrameFin;
    private boolean messageOpen;
    private boolean newlineOwed;
    private boolean ended;
    private final byte[] controlPayload = new byte[125];

    /**
     * @param leftover bytes that came after the opening handshake's response
     */
    WebSocketFrameReader(InputStream stream, byte[] leftover, String where, Control control) {
        this.stream = stream;
        this.where = where;
        this.control = control;
        this.in = new byte[Math.max(READ_BUFFER, leftover.length)];
        System.arraycopy(leftover, 0, in, 0, leftover.length);
        this.limit = leftover.length;
    }

    /** See {@link Transport#read}: -1 once the peer closed or the stream ended. */
    int read(byte[] b, int off, int len) throws IOException {
        if (ended) {
            return -1;
        }
        int n = 0;
        while (n < len) {
            if (newlineOwed) {
                b[off + n++] = '\n';
                newlineOwed = false;
            } else if (inDataFrame) {
                if (position == limit) {
                    if (n > 0 || !fill()) {
                        break;
                    }
                    continue;
                }
                int k = (int) Math.min(Math.min(payloadLeft, limit - position), len - n);
                System.arraycopy(in, position, b, off + n, k);
                position += k;
                WebSocketFraming.blankLineBreaks(b, off + n, off + n + k);
                n += k;
                payloadLeft -= k;
                if (payloadLeft == 0) {
                    endDataFrame();
                }
            } else if (!nextFrame()) {
                if (ended || n > 0 || !fill()) {
                    break;
                }
            }
        }
        return n == 0 ? -1 : n;
    }

    /** Reads more from the stream (blocking); false at its end, which ends the link. Keeps unconsumed bytes. */
    private boolean fill() throws IOException {
        if (position > 0) {
            System.arraycopy(in, position, in, 0, limit - position);
            limit -= position;
            position = 0;
        }
        if (limit == in.length) {
            in = java.util.Arrays.copyOf(in, in.length * 2); // a frame header longer than the buffer cannot be
        }
        int r = stream.read(in, limit, in.length - limit);
        if (r < 0) {
            ended = true;
            return false;
        }
        limit += r;
        control.heard();
        return true;
    }

    private void endDataFrame() {
        inDataFrame = false;
        if (dataFrameFin) {
            messageOpen = false;
            newlineOwed = true;
        }
    }

    private int u8(int i) {
        return in[i] & 0xFF;
    }

    /**
     * Consumes the next frame's header if it is all buffered (a control frame: header and payload,
     * handled here). Returns false when more bytes are needed or the peer closed.
     */
    private boolean nextFrame() throws IOException {
        int p = position;
        int avail = limit - position;
        if (avail < 2) {
            return false;
        }
        int b0 = u8(p);
        int b1 = u8(p + 1);
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        if ((b0 & 0x70) != 0) {
            throw protocolError("reserved bits set (no extension was agreed)");
        }
        if ((b1 & 0x80) != 0) {
            throw protocolError("a masked frame from the server");
        }
        int len7 = b1 & 0x7F;
        int headerLen = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
        if (avail < headerLen) {
            return false;
        }
        long length;
        if (len7 == 126) {
            length = (u8(p + 2) << 8) | u8(p + 3);
        } else if (len7 == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | u8(p + 2 + i);
            }
        } else {
            length = len7;
        }
        if (length < 0) {
            throw protocolError("a frame length over 2^63");
        }
        if (opcode >= 0x8) {
            if (!fin || length > 125) {
                throw protocolError("a fragmented or long control frame");
            }
            if (avail < headerLen + length) {
                return false; // fill() compacts first, so the frame fits
            }
            System.arraycopy(in, p + headerLen, controlPayload, 0, (int) length);
            position = p + headerLen + (int) length;
            control(opcode, (int) length);
            return !ended;
        }
        switch (opcode) {
            case WebSocketFraming.OP_TEXT, WebSocketFraming.OP_BINARY -> {
                if (messageOpen) {
                    throw protocolError("a new message before the last one ended");
                }
                messageOpen = true;
            }
            case WebSocketFraming.OP_CONTINUATION -> {
                if (!messageOpen) {
                    throw protocolError("a continuation frame outside a message");
                }
            }
            default -> throw protocolError("unknown opcode " + opcode);
        }
        position = p + headerLen;
        dataFrameFin = fin;
        payloadLeft = length;
        inDataFrame = true;
        if (length == 0) {
            endDataFrame();
        }
        return true;
    }

    private void control(int opcode, int length) {
        switch (opcode) {
            case WebSocketFraming.OP_PING -> control.ping(controlPayload, length);
            case WebSocketFraming.OP_PONG -> control.heard();
            case WebSocketFraming.OP_CLOSE -> {
                ended = true;
                control.closed(controlPayload, Math.min(length, 2));
            }
            default -> { }
        }
    }

    private IOException protocolError(String what) {
        return new IOException("WebSocket protocol error from the app-server at " + where + ": " + what);
    }

    /** See {@link Transport#available()}. */
    int available() {
        if (newlineOwed) {
            return 1;
        }
        if (inDataFrame) {
            return (int) Math.min(payloadLeft, limit - position);
        }
        // A data frame's header followed by some of its payload is readable too.
        int p = position;
        int avail = limit - position;
        if (avail < 3) {
            return 0;
        }
        int b0 = u8(p);
        int len7 = u8(p + 1) & 0x7F;
        if ((b0 & 0x0F) >= 0x8 || len7 == 0) {
            return 0; // a control frame, or an empty one: let read() look, it may block
        }
        int headerLen = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
        return avail > headerLen ? 1 : 0;
    }
}
