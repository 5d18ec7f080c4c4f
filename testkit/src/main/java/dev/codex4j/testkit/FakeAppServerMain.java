package dev.codex4j.testkit;

import java.io.BufferedWriter;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The child-process entry of {@link FakeAppServer}: {@code FakeAppServerMain SCRIPT RECORD ARGV
 * [ignored args...]}. Reads the script, serves stdin/stdout, appends every line the client sends
 * to RECORD, writes its own arguments to ARGV (so tests can check what a client passed).
 */
final class FakeAppServerMain {
    private FakeAppServerMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: FakeAppServerMain SCRIPT RECORD ARGV [args...]");
            Runtime.getRuntime().halt(2);
        }
        FakeAppServer.Script script = FakeAppServer.Script.fromJson(
                Json.parse(Files.readString(Path.of(args[0])), "fake app-server script " + args[0]));
        Files.write(Path.of(args[2]), Arrays.asList(args).subList(3, args.length), StandardCharsets.UTF_8);
        ReentrantLock recordLock = new ReentrantLock();
        BufferedWriter record = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        CountDownLatch done = new CountDownLatch(1);
        int[] code = {0};
        FakeEngine engine = new FakeEngine(script, System.in, new FileOutputStream(FileDescriptor.out),
                new FileOutputStream(FileDescriptor.err), (line, parsed) -> {
                    recordLock.lock();
                    try {
                        record.write(line);
                        record.write('\n');
                        record.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        recordLock.unlock();
                    }
                }, c -> {
                    code[0] = c;
                    done.countDown();
                });
        engine.start();
        done.await();
        recordLock.lock();
        try {
            record.flush();
        } finally {
            recordLock.unlock();
        }
        // halt: no shutdown hooks to wait for; an exit step means "the process dies now".
        Runtime.getRuntime().halt(code[0]);
    }
}
