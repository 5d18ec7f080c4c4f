package dev.codex4j.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.codex4j.ApprovalInbox;
import dev.codex4j.ApprovalRequest;
import dev.codex4j.Decision;
import dev.codex4j.PendingApproval;
import dev.codex4j.RunResult;
import dev.codex4j.ThreadOptions;
import dev.codex4j.protocol.types.AskForApproval;
import dev.codex4j.protocol.types.SandboxMode;
import dev.codex4j.testkit.ModelReply;
import dev.codex4j.testkit.OfflineCodex;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * An HTTP approval queue: the client parks the server's approval requests in an
 * {@link ApprovalInbox}, a small HTTP server (the JDK's {@code com.sun.net.httpserver}) lists them
 * ({@code GET /approvals}; {@code GET /approvals/next} waits for the next one) and resolves them
 * ({@code POST /approvals/<id>/accept} or {@code .../refuse}). Offline, this program plays the
 * reviewer itself over HTTP; with {@code --serve} it waits for you: {@code curl -X POST http://127.0.0.1:PORT/approvals/a1/accept}.
 * Unanswered approvals are refused after two minutes.
 */
public final class ApprovalQueue {
    private ApprovalQueue() {}

    /** @param args {@code --serve} to answer with curl instead */
    public static void main(String[] args) throws Exception {
        boolean serve = args.length > 0 && args[0].equals("--serve");
        ApprovalInbox inbox = ApprovalInbox.create(Duration.ofMinutes(2));
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/approvals", exchange -> handle(inbox, exchange));
        http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/approvals";
        try (ExampleSession session = ExampleSession.open(
                model -> model.defaultReply(request -> request.isToolFollowUp()
                        ? ModelReply.message("The command printed: " + request.toolOutputs().getLast().path("output").asString("?"))
                        : ModelReply.execCommandEscalated("echo approved over HTTP", "needs to leave the sandbox")),
                fixture -> fixture.approvalPolicy(OfflineCodex.ApprovalPolicy.ON_REQUEST)
                        .sandbox(OfflineCodex.SandboxMode.READ_ONLY),
                b -> b.approvalInbox(inbox))) {
            var thread = session.codex().startThread(ThreadOptions.builder()
                    .approvalPolicy(AskForApproval.ON_REQUEST).sandbox(SandboxMode.READ_ONLY).build());
            CompletableFuture<RunResult> run = thread.runAsync("Say hello from a shell");
            System.out.println("Approval queue: " + base);
            if (!serve) {
                reviewOverHttp(base);
            }
            RunResult r = run.join();
            System.out.println(r.finalResponse().orElse("(no answer: " + r.status() + ")"));
        } finally {
            http.stop(0);
        }
    }

    /** The reviewer's side, as any HTTP client would do it: wait for the next approval, then accept it. */
    private static void reviewOverHttp(String base) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> next = client.send(HttpRequest.newBuilder(URI.create(base + "/next")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (next.statusCode() != 200) {
            throw new IllegalStateException("no approval request arrived: " + next.statusCode());
        }
        System.out.print("GET /approvals/next ->\n" + next.body());
        String id = next.body().substring(0, next.body().indexOf(' '));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/" + id + "/accept"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        System.out.println("POST /approvals/" + id + "/accept -> " + r.statusCode() + " " + r.body());
    }

    /** One line per pending approval on GET; resolve on POST. Runs on the HTTP server's virtual threads. */
    private static void handle(ApprovalInbox inbox, HttpExchange exchange) throws IOException {
        String[] path = exchange.getRequestURI().getPath().split("/"); // "", "approvals", id, action
        int status;
        String body;
        if (exchange.getRequestMethod().equals("GET") && path.length == 2) {
            status = 200;
            body = inbox.list().stream().map(ApprovalQueue::describe).collect(Collectors.joining());
        } else if (exchange.getRequestMethod().equals("GET") && path.length == 3 && path[2].equals("next")) {
            // long poll: the next approval no one has been handed yet, waiting up to 20 s
            PendingApproval p = inbox.poll(Duration.ofSeconds(20)).orElse(null);
            status = p == null ? 204 : 200;
            body = p == null ? "" : describe(p);
        } else if (exchange.getRequestMethod().equals("POST") && path.length == 4) {
            Decision decision = switch (path[3]) {
                case "accept" -> Decision.accept();
                case "refuse" -> Decision.refuse();
                default -> null;
            };
            PendingApproval p = inbox.get(path[2]).orElse(null);
            if (decision == null || p == null) {
                status = 404;
                body = "no such approval or action\n";
            } else {
                try {
                    status = p.resolve(decision) ? 200 : 409;
                    body = status == 200 ? "resolved\n" : "already " + p.state() + "\n";
                } catch (IllegalArgumentException e) {
                    status = 400;
                    body = e.getMessage() + "\n";
                }
            }
        } else {
            status = 404;
            body = "GET /approvals, GET /approvals/next, POST /approvals/<id>/accept|refuse\n";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String describe(PendingApproval p) {
        String what = p.request() instanceof ApprovalRequest.Command c ? c.command() : p.request().method();
        return p.id() + " " + what + " (until " + p.deadline() + ")\n";
    }
}
