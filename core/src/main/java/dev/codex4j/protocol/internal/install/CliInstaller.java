package dev.codex4j.protocol.internal.install;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ProxySelector;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Installs a Codex CLI's native binary from the npm registry without Node.js: it reads the metadata
 * of the platform package ({@code @openai/codex@<version>-linux-x64}), downloads its tarball, checks
 * the registry's published {@code dist.integrity} (sha512) and unpacks it into the cache that
 * {@code scripts/install-codex} and {@code CodexCli} share, in npm's layout:
 * {@code <cache>/codex-<version>/node_modules/@openai/codex-<platform>/vendor/<triple>/bin/codex}.
 *
 * <p>Once per version: an install takes a lock in this JVM and a {@link FileLock} on
 * {@code <cache>/codex-<version>.lock}, so that concurrent first starts (threads or JVMs) install
 * once, the others wait and then find it. It unpacks into a temporary directory beside the target
 * and moves it into place atomically, so a corrupt, truncated or interrupted download never leaves
 * anything where the binary is looked for.
 *
 * <p>JDK only, and written for Java 17, on purpose: {@code scripts/install-codex} runs this one file
 * with the {@code java} source launcher ({@code java CliInstaller.java --cache-root DIR 0.169.0})
 * before anything is built. Failures are {@link InstallFailure}s; {@code CodexCli} turns them into
 * {@code CodexCliInstallException}.
 */
public final class CliInstaller {
    /** The public npm registry, used unless a mirror is configured. */
    public static final String DEFAULT_REGISTRY = "https://registry.npmjs.org/";

    private static final Pattern VERSION = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?");
    private static final long MAX_DOWNLOAD_BYTES = 2L << 30;
    private static final long MAX_UNPACKED_BYTES = 4L << 30;
    private static final long MAX_METADATA_BYTES = 4L << 20;
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final URI registry;
    private final Path cacheRoot;
    private final Platform platform;
    private final Timeouts timeouts;
    private final Consumer<String> log;

    /**
     * @param registry the npm registry's base URL ({@link #DEFAULT_REGISTRY} or a mirror)
     * @param cacheRoot the cache root; versions go to {@code codex-<version>} inside it
     * @param platform the platform whose package is installed
     * @param timeouts how long each step may take
     * @param log receives one line per step (start, download, done)
     */
    public CliInstaller(String registry, Path cacheRoot, Platform platform, Timeouts timeouts, Consumer<String> log) {
        this.registry = registryUri(registry);
        this.cacheRoot = cacheRoot.toAbsolutePath().normalize();
        this.platform = platform;
        this.timeouts = timeouts;
        this.log = log;
    }

    /** Why an install failed; nothing of it was left where the binary is looked for. */
    public static final class InstallFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InstallFailure(String message) {
            super(message);
        }

        InstallFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A platform the Codex CLI ships a native package for.
     *
     * @param npmSuffix the suffix of the platform package's version, {@code linux-x64}
     * @param triple the Rust target triple of its {@code vendor} directory
     */
    public record Platform(String npmSuffix, String triple) {
        /**
         * @param osName {@code os.name}
         * @param osArch {@code os.arch}
         * @return the platform, or a failure naming an unsupported one
         */
        public static Platform of(String osName, String osArch) {
            String os = osName.toLowerCase(Locale.ROOT);
            String a = osArch.toLowerCase(Locale.ROOT);
            boolean arm = a.equals("aarch64") || a.equals("arm64");
            boolean x64 = a.equals("amd64") || a.equals("x86_64");
            if (!arm && !x64) {
                throw new InstallFailure("no Codex CLI package for the architecture " + osArch);
            }
            if (os.contains("linux")) {
                return arm ? new Platform("linux-arm64", "aarch64-unknown-linux-musl")
                        : new Platform("linux-x64", "x86_64-unknown-linux-musl");
            }
            if (os.contains("mac") || os.contains("darwin")) {
                return arm ? new Platform("darwin-arm64", "aarch64-apple-darwin")
                        : new Platform("darwin-x64", "x86_64-apple-darwin");
            }
            throw new InstallFailure("no Codex CLI package for the operating system " + osName
                    + " (codex4j supports Linux and macOS)");
        }

        /** @return this JVM's platform */
        public static Platform current() {
            return of(System.getProperty("os.name"), System.getProperty("os.arch"));
        }
    }

    /**
     * How long each step may take.
     *
     * @param connect to connect to the registry
     * @param response until a response's headers arrive
     * @param stall the longest time a download may go without receiving a byte
     * @param lock the longest wait for another thread or process that installs the same version
     */
    public record Timeouts(Duration connect, Duration response, Duration stall, Duration lock) {
        /** @return 30 s to connect, 60 s per response and per stall, 15 minutes for the lock */
        public static Timeouts defaults() {
            return new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(60),
                    Duration.ofMinutes(15));
        }
    }

    /**
     * @param versionDir {@code <cache>/codex-<version>}
     * @param platform the platform
     * @return where the native binary is in npm's layout, whether or not it exists
     */
    public static Path binaryIn(Path versionDir, Platform platform) {
        return versionDir.resolve("node_modules/@openai/codex-" + platform.npmSuffix()).resolve("vendor")
                .resolve(platform.triple()).resolve("bin/codex");
    }

    /**
     * Reads a setting: the system property first, then the environment variable.
     *
     * @param properties the system properties ({@code System::getProperty})
     * @param env the environment
     * @param property the system property's name
     * @param envVar the environment variable's name
     * @return the value, or empty when neither is set (or both are blank)
     */
    public static Optional<String> setting(Function<String, String> properties, Map<String, String> env,
            String property, String envVar) {
        String p = properties.apply(property);
        if (p != null && !p.isBlank()) {
            return Optional.of(p.trim());
        }
        String e = env.get(envVar);
        return e != null && !e.isBlank() ? Optional.of(e.trim()) : Optional.empty();
    }

    /**
     * Installs a version unless it is there, and returns its native binary.
     *
     * @param version a Codex CLI version, {@code 0.169.0}
     * @param force reinstall even when the binary is there (it is replaced atomically)
     * @return the native binary
     * @throws InstallFailure when the registry, the download, its integrity or the archive fail
     */
    public Path install(String version, boolean force) {
        if (!VERSION.matcher(version).matches()) {
            throw new InstallFailure("'" + version + "' is not a Codex CLI version (expected like 0.169.0)");
        }
        Path versionDir = cacheRoot.resolve("codex-" + version);
        Path binary = binaryIn(versionDir, platform);
        if (!force && isInstalled(binary)) {
            return binary;
        }
        try {
            Files.createDirectories(cacheRoot);
        } catch (IOException e) {
            throw new InstallFailure("cannot create the cache directory " + cacheRoot + ": " + e, e);
        }
        Path lockFile = cacheRoot.resolve("codex-" + version + ".lock");
        ReentrantLock local = IN_PROCESS.computeIfAbsent(lockFile, k -> new ReentrantLock());
        long deadline = System.nanoTime() + timeouts.lock().toNanos();
        try {
            if (!local.tryLock()) {
                log.accept("waiting for another thread that installs codex-cli " + version);
                if (!local.tryLock(timeouts.lock().toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new InstallFailure("gave up after " + timeouts.lock() + " waiting for another thread that"
                            + " installs codex-cli " + version + " into " + versionDir);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallFailure("interrupted while waiting to install codex-cli " + version, e);
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock fileLock = lockAcross(channel, lockFile, version, deadline);
            try {
                if (!force && isInstalled(binary)) {
                    return binary; // another thread or process installed it while we waited
                }
                return installLocked(version, versionDir, binary);
            } catch (IOException | UncheckedIOException e) {
                throw new InstallFailure("installing codex-cli " + version + " into " + versionDir + " failed: " + e, e);
            } finally {
                fileLock.release();
            }
        } catch (IOException e) {
            throw new InstallFailure("cannot use the lock file " + lockFile + ": " + e, e);
        } finally {
            local.unlock();
        }
    }

    private FileLock lockAcross(FileChannel channel, Path lockFile, String version, long deadline) throws IOException {
        boolean said = false;
        while (true) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held in this JVM through another path to the same file
            }
            if (lock != null) {
                return lock;
            }
            if (!said) {
                log.accept("waiting for another process that installs codex-cli " + version + " (lock " + lockFile + ")");
                said = true;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new InstallFailure("gave up after " + timeouts.lock() + " waiting for another process that"
                        + " installs codex-cli " + version + " (it holds " + lockFile + ")");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InstallFailure("interrupted while waiting for the lock " + lockFile, e);
            }
        }
    }

    private static boolean isInstalled(Path binary) {
        return Files.isRegularFile(binary) && Files.isExecutable(binary);
    }

    private Path installLocked(String version, Path versionDir, Path binary) throws IOException {
        removeLeftovers(version);
        String spec = "@openai/codex@" + version + "-" + platform.npmSuffix();
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeouts.connect())
                .followRedirects(HttpClient.Redirect.NORMAL).proxy(ProxySelector.getDefault()).build();
        try {
            return installWith(http, spec, version, versionDir, binary);
        } finally {
            if (http instanceof AutoCloseable c) { // JDK 21+: ends the client's threads now (Java 17 has no close)
                try {
                    c.close();
                } catch (Exception e) {
                    log.accept("closing the HTTP client failed: " + e);
                }
            }
        }
    }

    private Path installWith(HttpClient http, String spec, String version, Path versionDir, Path binary)
            throws IOException {
        URI metadataUri = registry.resolve("@openai%2fcodex/" + version + "-" + platform.npmSuffix());
        log.accept("installing " + spec + " from " + registry + " into " + versionDir);
        Dist dist = metadata(http, metadataUri, spec);
        Path tmp = Files.createTempDirectory(cacheRoot, ".install-" + version + "-");
        try {
            Tar.setMode(tmp, "rwxr-xr-x"); // the version directory, once moved; a temp dir starts private
            Path tarball = tmp.resolve("package.tgz");
            download(http, dist, tarball, spec);
            Path packageDir = tmp.resolve("node_modules/@openai/codex-" + platform.npmSuffix());
            try (InputStream in = Files.newInputStream(tarball)) {
                Tar.extract(new GZIPInputStream(in, 1 << 16), packageDir, MAX_UNPACKED_BYTES);
            } catch (ZipException | EOFException e) {
                throw new InstallFailure("the tarball of " + spec + " is not a valid gzip stream: " + e.getMessage(), e);
            }
            Files.delete(tarball);
            Path unpacked = binaryIn(tmp, platform);
            if (!isInstalled(unpacked)) {
                throw new InstallFailure(spec + " has no executable " + tmp.relativize(unpacked)
                        + " (a package for another platform, or a layout this codex4j does not know)");
            }
            Files.writeString(tmp.resolve("codex4j-install.properties"), "# written by codex4j's installer\n"
                    + "package=" + spec + "\ntarball=" + dist.tarball + "\nintegrity=" + dist.integrity + "\n");
            moveIntoPlace(tmp, versionDir, version);
        } finally {
            try {
                deleteTree(tmp);
            } catch (UncheckedIOException e) {
                log.accept("could not remove " + tmp + " (the next install removes it): " + e.getCause());
            }
        }
        log.accept("installed " + spec + ": " + binary);
        return binary;
    }

    /** Temporary directories of an install that died (a killed JVM): only the lock holder installs. */
    private void removeLeftovers(String version) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(cacheRoot,
                p -> { String n = p.getFileName().toString();
                       return n.startsWith(".install-" + version + "-") || n.startsWith(".old-" + version + "-"); })) {
            for (Path p : s) {
                deleteTree(p);
            }
        }
    }

    private void moveIntoPlace(Path tmp, Path versionDir, String version) throws IOException {
        if (Files.exists(versionDir, LinkOption.NOFOLLOW_LINKS)) {
            // A broken or replaced install: set it aside atomically, then remove it.
            Path old = Files.createTempDirectory(cacheRoot, ".old-" + version + "-");
            Path aside = old.resolve("codex-" + version);
            Files.move(versionDir, aside, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmp, versionDir, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(old);
        } else {
            Files.move(tmp, versionDir, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private record Dist(URI tarball, String integrity, byte[] sha512) {}

    private record Fetched(int status, byte[] body) {}

    private static void closeQuietly(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException ignored) {
                // only to unblock a reader
            }
        }
    }

    private Dist metadata(HttpClient http, URI uri, String spec) {
        HttpRequest req = HttpRequest.newBuilder(uri).timeout(timeouts.response())
                .header("Accept", "application/json").GET().build();
        // The whole answer, body included, within the response timeout (a request's own timeout
        // ends when the headers arrive): the body is read on the client's executor and given up on.
        AtomicReference<InputStream> stream = new AtomicReference<>();
        CompletableFuture<Fetched> fetch = http.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream())
                .thenApply(resp -> {
                    stream.set(resp.body());
                    try (InputStream in = resp.body()) {
                        return new Fetched(resp.statusCode(),
                                resp.statusCode() == 200 ? in.readNBytes((int) MAX_METADATA_BYTES + 1) : new byte[0]);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        Fetched resp;
        try {
            resp = fetch.get(timeouts.response().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fetch.cancel(true);
            closeQuietly(stream.get());
            throw new InstallFailure("no complete answer within " + timeouts.response() + " for the metadata of " + spec
                    + " at " + uri, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
            throw new InstallFailure("cannot fetch the metadata of " + spec + " from " + uri + ": " + cause
                    + " (set a mirror with codex4j.npm.registry / CODEX4J_NPM_REGISTRY, or point CODEX4J_CODEX_PATH at"
                    + " a codex binary)", cause);
        } catch (InterruptedException e) {
            fetch.cancel(true);
            closeQuietly(stream.get());
            Thread.currentThread().interrupt();
            throw new InstallFailure("interrupted while fetching the metadata of " + spec, e);
        }
        if (resp.status() != 200) {
            throw new InstallFailure("the registry answered " + resp.status() + " for " + spec + " at " + uri
                    + (resp.status() == 404 ? " (no such version, or a mirror that does not have it)" : ""));
        }
        byte[] body = resp.body();
        if (body.length > MAX_METADATA_BYTES) {
            throw new InstallFailure("the metadata of " + spec + " at " + uri + " is larger than " + MAX_METADATA_BYTES + " bytes");
        }
        Object json;
        try {
            json = new Json(new String(body, StandardCharsets.UTF_8)).parse();
        } catch (IllegalArgumentException e) {
            throw new InstallFailure("the metadata of " + spec + " at " + uri + " is not JSON: " + e.getMessage(), e);
        }
        Object distObj = json instanceof Map<?, ?> m ? m.get("dist") : null;
        if (!(distObj instanceof Map<?, ?> dist)) {
            throw new InstallFailure("the metadata of " + spec + " at " + uri + " has no \"dist\" object");
        }
        if (!(dist.get("tarball") instanceof String tarball) || tarball.isBlank()) {
            throw new InstallFailure("the metadata of " + spec + " at " + uri + " has no dist.tarball");
        }
        if (!(dist.get("integrity") instanceof String integrity)) {
            throw new InstallFailure("the metadata of " + spec + " at " + uri
                    + " has no dist.integrity: codex4j installs only a package whose sha512 the registry publishes");
        }
        byte[] sha512 = null;
        for (String part : integrity.trim().split("\\s+")) {
            if (part.startsWith("sha512-")) {
                String b64 = part.substring(7);
                int q = b64.indexOf('?');
                try {
                    sha512 = Base64.getDecoder().decode(q < 0 ? b64 : b64.substring(0, q));
                } catch (IllegalArgumentException e) {
                    throw new InstallFailure("dist.integrity of " + spec + " is not valid base64: " + integrity, e);
                }
            }
        }
        if (sha512 == null || sha512.length != 64) {
            throw new InstallFailure("dist.integrity of " + spec + " has no sha512 hash: " + integrity);
        }
        URI tarballUri;
        try {
            tarballUri = uri.resolve(new URI(tarball));
        } catch (URISyntaxException e) {
            throw new InstallFailure("dist.tarball of " + spec + " is not a URL: " + tarball, e);
        }
        String scheme = tarballUri.getScheme() == null ? "" : tarballUri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new InstallFailure("dist.tarball of " + spec + " is not an http(s) URL: " + tarball);
        }
        return new Dist(tarballUri, integrity.trim(), sha512);
    }

    private HttpResponse<InputStream> send(HttpClient http, HttpRequest req, String what) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new InstallFailure("no answer within " + timeouts.response() + " for " + what + " at " + req.uri(), e);
        } catch (IOException e) {
            throw new InstallFailure("cannot fetch " + what + " from " + req.uri() + ": " + e
                    + " (set a mirror with codex4j.npm.registry / CODEX4J_NPM_REGISTRY, or point CODEX4J_CODEX_PATH at"
                    + " a codex binary)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallFailure("interrupted while fetching " + what, e);
        }
    }

    /** Downloads into {@code target}, hashing as it goes; a stall, a short body or a wrong hash fails. */
    private void download(HttpClient http, Dist dist, Path target, String spec) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(dist.tarball).timeout(timeouts.response()).GET().build();
        HttpResponse<InputStream> resp = send(http, req, "the tarball of " + spec);
        InputStream body = resp.body();
        if (resp.statusCode() != 200) {
            body.close();
            throw new InstallFailure("the registry answered " + resp.statusCode() + " for the tarball of " + spec
                    + " at " + dist.tarball);
        }
        long expected = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (expected > MAX_DOWNLOAD_BYTES) {
            body.close();
            throw new InstallFailure("the tarball of " + spec + " announces " + expected + " bytes, more than the "
                    + MAX_DOWNLOAD_BYTES + " codex4j accepts");
        }
        log.accept("downloading " + dist.tarball + (expected >= 0 ? " (" + (expected >> 20) + " MB)" : ""));
        MessageDigest sha512;
        try {
            sha512 = MessageDigest.getInstance("SHA-512");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        AtomicLong received = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread copier = new Thread(() -> {
            try (InputStream in = body; OutputStream out = Files.newOutputStream(target)) {
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    if (received.addAndGet(n) > MAX_DOWNLOAD_BYTES) {
                        throw new IOException("more than " + MAX_DOWNLOAD_BYTES + " bytes");
                    }
                    sha512.update(buf, 0, n);
                    out.write(buf, 0, n);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "codex4j-cli-download");
        copier.setDaemon(true);
        copier.start();
        long lastCount = -1;
        long lastProgress = System.nanoTime();
        try {
            while (true) {
                copier.join(200);
                if (!copier.isAlive()) {
                    break;
                }
                long now = System.nanoTime();
                long count = received.get();
                if (count != lastCount) {
                    lastCount = count;
                    lastProgress = now;
                } else if (now - lastProgress > timeouts.stall().toNanos()) {
                    abort(copier, body);
                    throw new InstallFailure("the download of " + spec + " from " + dist.tarball + " stalled: no byte for "
                            + timeouts.stall() + " after " + count + (expected >= 0 ? " of " + expected : "") + " bytes");
                }
            }
        } catch (InterruptedException e) {
            abort(copier, body);
            Thread.currentThread().interrupt();
            throw new InstallFailure("interrupted while downloading " + spec, e);
        }
        long count = received.get();
        Throwable t = failure.get();
        if (t != null) {
            throw new InstallFailure("the download of " + spec + " from " + dist.tarball + " broke off after " + count
                    + (expected >= 0 ? " of " + expected : "") + " bytes: " + t, t);
        }
        if (expected >= 0 && count != expected) {
            throw new InstallFailure("the download of " + spec + " from " + dist.tarball + " is truncated: " + count
                    + " of " + expected + " bytes");
        }
        byte[] got = sha512.digest();
        if (!MessageDigest.isEqual(got, dist.sha512)) {
            throw new InstallFailure("the tarball of " + spec + " from " + dist.tarball + " (" + count + " bytes) does not"
                    + " match the registry's integrity: expected " + dist.integrity + ", got sha512-"
                    + Base64.getEncoder().encodeToString(got) + " (a corrupt or partial download, or a mirror that"
                    + " serves other bytes); nothing was installed");
        }
    }

    private static void abort(Thread copier, InputStream body) {
        copier.interrupt();
        try {
            body.close();
        } catch (IOException ignored) {
            // closing is only to unblock the copier
        }
        try {
            copier.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static URI registryUri(String registry) {
        String r = registry.trim();
        if (!r.endsWith("/")) {
            r = r + "/";
        }
        try {
            URI uri = new URI(r);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((!scheme.equals("https") && !scheme.equals("http")) || uri.getHost() == null) {
                throw new InstallFailure("the npm registry '" + registry + "' is not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new InstallFailure("the npm registry '" + registry + "' is not a URL: " + e.getMessage(), e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    if (exc != null) {
                        throw exc;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }

    /**
     * A reader of the tar archives npm publishes (ustar, with pax and GNU long-name headers), careful
     * about where things go: the first path component ({@code package/}) is dropped, as npm does; an
     * entry that would land outside the target (an absolute path, {@code ..}, a symbolic link that
     * points outside, a path through such a link) fails the whole archive; hard links, devices and
     * FIFOs are refused. Files keep their executable bit ({@code rwxr-xr-x} or {@code rw-r--r--}).
     */
    static final class Tar {
        private Tar() {}

        static void extract(InputStream in, Path target, long maxBytes) throws IOException {
            Files.createDirectories(target);
            Path root = target.toRealPath();
            byte[] header = new byte[512];
            Map<String, String> pax = new HashMap<>();
            String longName = null;
            String longLink = null;
            long total = 0;
            while (true) {
                if (!readBlock(in, header)) {
                    throw new InstallFailure("the tar archive ends without its end-of-archive marker (truncated)");
                }
                if (allZero(header)) {
                    return;
                }
                checkChecksum(header);
                char type = (char) header[156];
                long size = pax.containsKey("size") ? parseLong(pax.get("size"), "pax size")
                        : numeric(header, 124, 12);
                if (size < 0) {
                    throw new InstallFailure("a tar entry has a negative size");
                }
                if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
                    if (size > (1 << 20)) {
                        throw new InstallFailure("a tar meta entry of " + size + " bytes is too large");
                    }
                    byte[] body = readBody(in, (int) size);
                    if (type == 'x') {
                        pax.putAll(parsePax(body));
                    } else if (type == 'L') {
                        longName = cString(body, 0, body.length);
                    } else if (type == 'K') {
                        longLink = cString(body, 0, body.length);
                    } // 'g': global pax headers hold nothing we use
                    continue;
                }
                String name = pax.containsKey("path") ? pax.get("path") : longName != null ? longName : fullName(header);
                String link = pax.containsKey("linkpath") ? pax.get("linkpath")
                        : longLink != null ? longLink : cString(header, 157, 100);
                int mode = (int) numeric(header, 100, 8);
                pax.clear();
                longName = null;
                longLink = null;

                Path dest = destination(root, name);
                switch (type) {
                    case '0', '\0', '7' -> {
                        total += size;
                        if (total > maxBytes) {
                            throw new InstallFailure("the tar archive unpacks to more than " + maxBytes + " bytes");
                        }
                        if (dest == null) {
                            skip(in, padded(size));
                            continue;
                        }
                        prepareParent(root, dest, name);
                        if (Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                            throw new InstallFailure("the tar entry " + name + " is a file where a directory is");
                        }
                        Files.deleteIfExists(dest); // never writes through a link an earlier entry left
                        try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE)) {
                            copy(in, out, size, name);
                        }
                        skip(in, padded(size) - size);
                        setMode(dest, (mode & 0111) != 0 ? "rwxr-xr-x" : "rw-r--r--");
                    }
                    case '5' -> {
                        skip(in, padded(size));
                        if (dest != null) {
                            prepareParent(root, dest, name);
                            if (!Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                                Files.createDirectory(dest);
                            }
                        }
                    }
                    case '2' -> {
                        skip(in, padded(size));
                        if (dest == null) {
                            continue;
                        }
                        if (link.isEmpty() || link.startsWith("/") || link.indexOf('\0') >= 0) {
                            throw new InstallFailure("the tar entry " + name + " is a symbolic link to '" + link
                                    + "', outside the package");
                        }
                        Path resolved = dest.getParent().resolve(link).normalize();
                        if (!resolved.startsWith(root)) {
                            throw new InstallFailure("the tar entry " + name + " is a symbolic link to '" + link
                                    + "', outside the package");
                        }
                        prepareParent(root, dest, name);
                        if (Files.isDirectory(dest, LinkOption.NOFOLLOW_LINKS)) {
                            throw new InstallFailure("the tar entry " + name + " is a link where a directory is");
                        }
                        Files.deleteIfExists(dest);
                        Files.createSymbolicLink(dest, Path.of(link));
                    }
                    case '1' -> throw new InstallFailure("the tar entry " + name + " is a hard link (to " + link
                            + "); codex4j refuses hard links in a package");
                    case '3', '4', '6' -> throw new InstallFailure("the tar entry " + name
                            + " is a device or a FIFO; codex4j refuses them in a package");
                    default -> throw new InstallFailure("the tar entry " + name + " has the unsupported type '" + type + "'");
                }
            }
        }

        /** @return where an entry goes, or null for the top directory itself (npm drops it) */
        private static Path destination(Path root, String name) {
            if (name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0) {
                throw new InstallFailure("the tar entry '" + name.replace('\0', '?') + "' has a NUL or a backslash in its name");
            }
            if (name.startsWith("/")) {
                throw new InstallFailure("the tar entry " + name + " has an absolute path");
            }
            List<String> parts = new ArrayList<>();
            for (String p : name.split("/")) {
                if (p.equals("..")) {
                    throw new InstallFailure("the tar entry " + name + " climbs out of the package ('..')");
                }
                if (!p.isEmpty() && !p.equals(".")) {
                    parts.add(p);
                }
            }
            if (parts.size() < 2) {
                return null;
            }
            Path dest = root;
            for (String p : parts.subList(1, parts.size())) {
                dest = dest.resolve(p);
            }
            dest = dest.normalize();
            if (!dest.startsWith(root) || dest.equals(root)) {
                throw new InstallFailure("the tar entry " + name + " lands outside the package");
            }
            return dest;
        }

        /** Creates the parent directories and checks that no link led them outside the target. */
        private static void prepareParent(Path root, Path dest, String name) throws IOException {
            Path parent = dest.getParent();
            Path existing = parent;
            while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
                existing = existing.getParent();
            }
            if (!existing.toRealPath().startsWith(root)) {
                throw new InstallFailure("the tar entry " + name + " goes through a link outside the package");
            }
            Files.createDirectories(parent);
            if (!parent.toRealPath().startsWith(root)) {
                throw new InstallFailure("the tar entry " + name + " goes through a link outside the package");
            }
        }

        private static void setMode(Path file, String perms) throws IOException {
            PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (view != null) {
                view.setPermissions(PosixFilePermissions.fromString(perms));
            } else if (perms.charAt(2) == 'x') {
                file.toFile().setExecutable(true, false);
            }
        }

        private static boolean readBlock(InputStream in, byte[] block) throws IOException {
            int n = in.readNBytes(block, 0, 512);
            if (n == 0) {
                return false;
            }
            if (n < 512) {
                throw new InstallFailure("the tar archive is truncated inside a header");
            }
            return true;
        }

        private static byte[] readBody(InputStream in, int size) throws IOException {
            byte[] body = in.readNBytes(size);
            if (body.length < size) {
                throw new InstallFailure("the tar archive is truncated inside an entry");
            }
            skip(in, padded(size) - size);
            return body;
        }

        private static void copy(InputStream in, OutputStream out, long size, String name) throws IOException {
            byte[] buf = new byte[1 << 16];
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new InstallFailure("the tar archive is truncated inside " + name);
                }
                out.write(buf, 0, n);
                left -= n;
            }
        }

        private static void skip(InputStream in, long n) throws IOException {
            long left = n;
            while (left > 0) {
                long s = in.skip(left);
                if (s <= 0) {
                    if (in.read() < 0) {
                        throw new InstallFailure("the tar archive is truncated");
                    }
                    s = 1;
                }
                left -= s;
            }
        }

        private static long padded(long size) {
            return (size + 511) / 512 * 512;
        }

        private static boolean allZero(byte[] b) {
            for (byte x : b) {
                if (x != 0) {
                    return false;
                }
            }
            return true;
        }

        private static void checkChecksum(byte[] h) {
            long sum = 0;
            for (int i = 0; i < 512; i++) {
                sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
            }
            long stored = numeric(h, 148, 8);
            if (stored != sum) {
                throw new InstallFailure("a tar header's checksum is wrong (a corrupt archive)");
            }
        }

        private static String fullName(byte[] h) {
            String name = cString(h, 0, 100);
            boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r';
            String prefix = ustar ? cString(h, 345, 155) : "";
            return prefix.isEmpty() ? name : prefix + "/" + name;
        }

        private static String cString(byte[] b, int off, int len) {
            int end = off;
            while (end < off + len && b[end] != 0) {
                end++;
            }
            return new String(b, off, end - off, StandardCharsets.UTF_8);
        }

        /** An octal field, or GNU base-256 when its first byte has the high bit set. */
        private static long numeric(byte[] h, int off, int len) {
            if ((h[off] & 0x80) != 0) {
                long v = h[off] & 0x7f;
                for (int i = off + 1; i < off + len; i++) {
                    if (v > (Long.MAX_VALUE >> 8)) {
                        throw new InstallFailure("a tar header's number is too large");
                    }
                    v = (v << 8) | (h[i] & 0xff);
                }
                return v;
            }
            String s = new String(h, off, len, StandardCharsets.US_ASCII).replace('\0', ' ').trim();
            if (s.isEmpty()) {
                return 0;
            }
            try {
                return Long.parseLong(s, 8);
            } catch (NumberFormatException e) {
                throw new InstallFailure("a tar header has the malformed number '" + s + "'");
            }
        }

        private static long parseLong(String s, String what) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new InstallFailure("a tar " + what + " is malformed: '" + s + "'");
            }
        }

        /** Records of {@code "<length> <key>=<value>\n"}, the length counting the whole record. */
        private static Map<String, String> parsePax(byte[] body) {
            Map<String, String> out = new LinkedHashMap<>();
            int pos = 0;
            while (pos < body.length) {
                int sp = pos;
                while (sp < body.length && body[sp] != ' ') {
                    sp++;
                }
                if (sp >= body.length) {
                    break;
                }
                int len = (int) parseLong(new String(body, pos, sp - pos, StandardCharsets.US_ASCII), "pax record length");
                if (len <= sp - pos || pos + len > body.length) {
                    throw new InstallFailure("a tar pax record is malformed");
                }
                String rec = new String(body, sp + 1, pos + len - sp - 2, StandardCharsets.UTF_8);
                int eq = rec.indexOf('=');
                if (eq > 0) {
                    out.put(rec.substring(0, eq), rec.substring(eq + 1));
                }
                pos += len;
            }
            return out;
        }
    }

    /** Just enough JSON for a registry's metadata: objects, arrays, strings, numbers, literals. */
    static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object parse() {
            Object v = value(0);
            ws();
            if (i != s.length()) {
                throw error("trailing characters");
            }
            return v;
        }

        private Object value(int depth) {
            if (depth > 64) {
                throw error("nested too deeply");
            }
            ws();
            if (i >= s.length()) {
                throw error("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{': {
                    i++;
                    Map<String, Object> m = new LinkedHashMap<>();
                    ws();
                    if (peek('}')) {
                        i++;
                        return m;
                    }
                    while (true) {
                        ws();
                        if (!peek('"')) {
                            throw error("expected a member name");
                        }
                        String k = string();
                        ws();
                        expect(':');
                        m.put(k, value(depth + 1));
                        ws();
                        if (peek(',')) {
                            i++;
                        } else {
                            expect('}');
                            return m;
                        }
                    }
                }
                case '[': {
                    i++;
                    List<Object> l = new ArrayList<>();
                    ws();
                    if (peek(']')) {
                        i++;
                        return l;
                    }
                    while (true) {
                        l.add(value(depth + 1));
                        ws();
                        if (peek(',')) {
                            i++;
                        } else {
                            expect(']');
                            return l;
                        }
                    }
                }
                case '"':
                    return string();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", null);
                default:
                    return number();
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    if (i >= s.length()) {
                        throw error("unterminated escape");
                    }
                    char e = s.charAt(i++);
                    switch (e) {
                        case '"', '\\', '/' -> b.append(e);
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'n' -> b.append('\n');
                        case 'r' -> b.append('\r');
                        case 't' -> b.append('\t');
                        case 'u' -> {
                            if (i + 4 > s.length()) {
                                throw error("short \\u escape");
                            }
                            try {
                                b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            } catch (NumberFormatException ex) {
                                throw error("bad \\u escape");
                            }
                            i += 4;
                        }
                        default -> throw error("bad escape \\" + e);
                    }
                } else {
                    b.append(c);
                }
            }
        }

        private Object number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw error("unexpected character '" + s.charAt(i) + "'");
            }
            try {
                return Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw error("bad number");
            }
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, i)) {
                throw error("unexpected literal");
            }
            i += word.length();
            return v;
        }

        private boolean peek(char c) {
            return i < s.length() && s.charAt(i) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("expected '" + c + "'");
            }
            i++;
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException(what + " at offset " + i);
        }
    }

    /**
     * {@code scripts/install-codex}'s entry point: installs one version and prints its native binary's
     * path on standard output; progress and errors go to standard error. The registry comes from
     * {@code --registry}, else the system property {@code codex4j.npm.registry}, else
     * {@code $CODEX4J_NPM_REGISTRY}, else the public registry.
     *
     * <pre>
     * java CliInstaller.java [--force] [--registry URL] --cache-root DIR VERSION
     * </pre>
     *
     * @param args the arguments above
     */
    public static void main(String[] args) {
        boolean force = false;
        String registry = null;
        Path cacheRoot = null;
        String version = null;
        for (int k = 0; k < args.length; k++) {
            switch (args[k]) {
                case "--force" -> force = true;
                case "--registry" -> registry = args[++k];
                case "--cache-root" -> cacheRoot = Path.of(args[++k]);
                default -> version = args[k];
            }
        }
        if (cacheRoot == null || version == null) {
            System.err.println("usage: java CliInstaller.java [--force] [--registry URL] --cache-root DIR VERSION");
            System.exit(2);
        }
        if (registry == null) {
            registry = setting(System::getProperty, System.getenv(), "codex4j.npm.registry", "CODEX4J_NPM_REGISTRY")
                    .orElse(DEFAULT_REGISTRY);
        }
        try {
            CliInstaller installer = new CliInstaller(registry, cacheRoot, Platform.current(), Timeouts.defaults(),
                    line -> System.err.println("install-codex: " + line));
            System.out.println(installer.install(version, force));
        } catch (InstallFailure e) {
            System.err.println("install-codex: " + e.getMessage());
            System.exit(1);
        }
    }
}
