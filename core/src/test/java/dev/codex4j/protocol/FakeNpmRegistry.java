package dev.codex4j.protocol;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

/**
 * A small npm registry on loopback: the version metadata of {@code @openai/codex@<version>-<platform>}
 * (with {@code dist.tarball} and {@code dist.integrity}) and its tarball, served the way a test asks
 * (the right bytes, other bytes than the integrity says, cut short, slowly, or not at all).
 */
final class FakeNpmRegistry implements AutoCloseable {
    /** How the tarball is served. */
    enum Serve { WHOLE, TRUNCATED_WITH_LENGTH, TRUNCATED_CHUNKED, STALL }

    private final HttpServer server;
    private final Map<String, byte[]> tarballs = new ConcurrentHashMap<>();
    private final Map<String, String> integrities = new ConcurrentHashMap<>();
    final AtomicInteger metadataRequests = new AtomicInteger();
    final AtomicInteger tarballRequests = new AtomicInteger();
    volatile Serve serve = Serve.WHOLE;
    volatile long tarballDelayMillis;
    /** The metadata's headers and half its body are sent, then nothing more. */
    volatile boolean stallMetadata;
    private final CountDownLatch released = new CountDownLatch(1);

    FakeNpmRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    /** Publishes {@code spec} ({@code 0.0.1-linux-x64}) with this gzipped tarball and its true integrity. */
    void publish(String spec, byte[] tgz) {
        publish(spec, tgz, sri(tgz));
    }

    /** Publishes {@code spec} with this tarball and the integrity given (true or not). */
    void publish(String spec, byte[] tgz, String integrity) {
        tarballs.put(spec, tgz);
        integrities.put(spec, integrity);
    }

    static String sri(byte[] bytes) {
        try {
            return "sha512-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/@openai/codex/")) {
                metadataRequests.incrementAndGet();
                String spec = path.substring("/@openai/codex/".length());
                if (!tarballs.containsKey(spec)) {
                    send(ex, 404, "{\"error\":\"Not found\"}".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                String json = "{\"name\":\"@openai/codex\",\"version\":\"" + spec + "\",\"dist\":{\"integrity\":\""
                        + integrities.get(spec) + "\",\"shasum\":\"x\",\"tarball\":\"" + url() + "tarballs/codex-"
                        + spec + ".tgz\"}}";
                byte[] body = json.getBytes(StandardCharsets.UTF_8);
                if (stallMetadata) {
                    ex.sendResponseHeaders(200, body.length);
                    ex.getResponseBody().write(body, 0, body.length / 2);
                    ex.getResponseBody().flush();
                    released.await(30, TimeUnit.SECONDS);
                    return;
                }
                send(ex, 200, body);
            } else if (path.startsWith("/tarballs/codex-") && path.endsWith(".tgz")) {
                tarballRequests.incrementAndGet();
                byte[] tgz = tarballs.get(path.substring("/tarballs/codex-".length(), path.length() - 4));
                if (tgz == null) {
                    send(ex, 404, new byte[0]);
                    return;
                }
                if (tarballDelayMillis > 0) {
                    Thread.sleep(tarballDelayMillis);
                }
                switch (serve) {
                    case WHOLE -> send(ex, 200, tgz);
                    case TRUNCATED_WITH_LENGTH -> {
                        ex.sendResponseHeaders(200, tgz.length);
                        ex.getResponseBody().write(tgz, 0, tgz.length / 2);
                        ex.getResponseBody().flush();
                    }
                    case TRUNCATED_CHUNKED -> {
                        ex.sendResponseHeaders(200, 0);
                        ex.getResponseBody().write(tgz, 0, tgz.length / 2);
                    }
                    case STALL -> {
                        ex.sendResponseHeaders(200, tgz.length);
                        ex.getResponseBody().write(tgz, 0, tgz.length / 2);
                        ex.getResponseBody().flush();
                        released.await(30, TimeUnit.SECONDS);
                    }
                }
            } else {
                send(ex, 404, new byte[0]);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // a client that gave up, or a body cut short on purpose
        }
    }

    private static void send(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }

    /** Writes a gzipped ustar archive, entries under {@code package/} unless a name says otherwise. */
    static final class Tgz {
        private final ByteArrayOutputStream tar = new ByteArrayOutputStream();

        Tgz file(String name, int mode, String content) {
            byte[] data = content.getBytes(StandardCharsets.UTF_8);
            header(name, mode, data.length, '0', "");
            tar.writeBytes(data);
            tar.writeBytes(new byte[(512 - data.length % 512) % 512]);
            return this;
        }

        Tgz dir(String name) {
            header(name, 0755, 0, '5', "");
            return this;
        }

        Tgz symlink(String name, String target) {
            header(name, 0777, 0, '2', target);
            return this;
        }

        Tgz hardlink(String name, String target) {
            header(name, 0644, 0, '1', target);
            return this;
        }

        /** A file whose name is longer than ustar's 100 bytes, through a pax header. */
        Tgz longFile(String name, int mode, String content) {
            byte[] rec = paxRecord("path", name);
            header("PaxHeader/x", 0644, rec.length, 'x', "");
            tar.writeBytes(rec);
            tar.writeBytes(new byte[(512 - rec.length % 512) % 512]);
            return file("package/placeholder-name", mode, content);
        }

        private static byte[] paxRecord(String key, String value) {
            String body = " " + key + "=" + value + "\n";
            int len = body.getBytes(StandardCharsets.UTF_8).length;
            int total = len + String.valueOf(len).length();
            if (String.valueOf(total).length() != String.valueOf(len).length()) {
                total++;
            }
            return (total + body).getBytes(StandardCharsets.UTF_8);
        }

        private void header(String name, int mode, long size, char type, String link) {
            byte[] h = new byte[512];
            put(h, 0, 100, name);
            put(h, 100, 8, String.format("%07o", mode));
            put(h, 108, 8, "0000000");
            put(h, 116, 8, "0000000");
            put(h, 124, 12, String.format("%011o", size));
            put(h, 136, 12, String.format("%011o", 0));
            h[156] = (byte) type;
            put(h, 157, 100, link);
            put(h, 257, 6, "ustar");
            put(h, 263, 2, "00");
            for (int i = 148; i < 156; i++) {
                h[i] = ' ';
            }
            long sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, 8, String.format("%06o", sum));
            h[155] = ' ';
            tar.writeBytes(h);
        }

        private static void put(byte[] h, int off, int len, String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > len) {
                throw new IllegalArgumentException(s + " is longer than " + len);
            }
            System.arraycopy(b, 0, h, off, b.length);
        }

        byte[] gzip() {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                    gz.write(tar.toByteArray());
                    gz.write(new byte[1024]);
                }
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The archive cut before its end-of-archive marker (a tar that a truncated gzip would give). */
        byte[] gzipWithoutEnd() {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                    gz.write(tar.toByteArray());
                }
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
