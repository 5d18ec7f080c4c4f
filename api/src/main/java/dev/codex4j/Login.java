package dev.codex4j;

import dev.codex4j.errors.CodexException;
import dev.codex4j.errors.LoginFailedException;
import dev.codex4j.errors.RequestTimeoutException;
import dev.codex4j.internal.runtime.Deadline;
import dev.codex4j.internal.runtime.Secrets;
import dev.codex4j.internal.sdk.Session;
import dev.codex4j.internal.sdk.Waits;
import dev.codex4j.protocol.methods.ClientMethods;
import dev.codex4j.protocol.methods.ServerNotification;
import dev.codex4j.protocol.types.AccountLoginCompletedNotification;
import dev.codex4j.protocol.types.CancelLoginAccountParams;
import dev.codex4j.protocol.types.CancelLoginAccountStatus;
import dev.codex4j.protocol.types.LoginAccountParams;
import dev.codex4j.protocol.types.LoginAccountResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A sign-in in progress ({@code account/login/start}), started by {@link Codex#login},
 * {@link Codex#loginWithChatGpt()} or {@link Codex#loginWithDeviceCode()}. What the user must do
 * is in {@link #response()}: open {@code authUrl} ({@link LoginAccountResponse.Chatgpt}), or enter
 * {@code userCode} at {@code verificationUrl} ({@link LoginAccountResponse.ChatgptDeviceCode}).
 * {@link #await(Duration)} waits for the server's {@code account/login/completed}; {@link #cancel()}
 * gives up ({@code account/login/cancel}). Closing a login that has not completed cancels it.
 * Thread-safe.
 *
 * <pre>{@code
 * try (Login login = codex.loginWithDeviceCode()) {
 *     var code = (LoginAccountResponse.ChatgptDeviceCode) login.response();
 *     System.out.println("Enter " + code.userCode() + " at " + code.verificationUrl());
 *     login.await(Duration.ofMinutes(10));
 * }
 * }</pre>
 */
public final class Login implements AutoCloseable {
    /** How often a waiter looks whether the client closed meanwhile. */
    private static final long CLOSED_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Session session;
    private final CompletableFuture<AccountLoginCompletedNotification> done = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    // ---- guarded by lock: completions that came before the reply said which login is ours
    private final List<AccountLoginCompletedNotification> early = new ArrayList<>();
    private boolean started;
    private @Nullable String loginId;
    // ----
    private final Subscription subscription;
    private final LoginAccountResponse response;

    Login(Session session, LoginAccountParams params) {
        this.session = session;
        // Listening before the start is sent: the completion may beat the reply (an API key's does).
        this.subscription = new Subscription(session.connection().subscribeGlobal(in -> {
            if (Session.typed(in) instanceof ServerNotification.AccountLoginCompleted c) {
                completed(c.params());
            }
        }, session.options().subscriptionBuffer(), Session.INTERNAL_MAX_DELAY));
        try {
            this.response = session.call(ClientMethods.ACCOUNT_LOGIN_START, params);
        } catch (RuntimeException e) {
            subscription.close();
            throw e;
        }
        List<AccountLoginCompletedNotification> seen;
        lock.lock();
        try {
            loginId = idOf(response);
            started = true;
            seen = List.copyOf(early);
            early.clear();
        } finally {
            lock.unlock();
        }
        seen.forEach(this::completed);
    }

    private static @Nullable String idOf(LoginAccountResponse r) {
        return switch (r) {
            case LoginAccountResponse.Chatgpt c -> c.loginId();
            case LoginAccountResponse.ChatgptDeviceCode d -> d.loginId();
            default -> null;
        };
    }

    /** The subscription's thread (or the starting one): a completion, ours if its id matches. */
    private void completed(AccountLoginCompletedNotification n) {
        lock.lock();
        try {
            if (!started) {
                early.add(n);
                return;
            }
            if (!Objects.equals(loginId, n.loginId())) {
                return; // another login's
            }
        } finally {
            lock.unlock();
        }
        if (n.success()) {
            done.complete(n);
        } else {
            done.completeExceptionally(new LoginFailedException(n.loginId(), n.error() == null ? null : Secrets.scrub(n.error())));
        }
        subscription.close();
    }

    /**
     * @return the server's reply to {@code account/login/start}: what the user must do (a URL to
     *     open, a code to enter), or nothing for an API key
     */
    public LoginAccountResponse response() {
        return response;
    }

    /** @return the login's id (for ChatGPT sign-ins; an API-key login has none) */
    public Optional<String> loginId() {
        return Optional.ofNullable(loginId);
    }

    /** @return whether the server said the login completed (successfully or not) */
    public boolean isDone() {
        return done.isDone();
    }

    /**
     * Waits for the server to say the login completed. On success the client reads the account
     * again, so that turns can start at once.
     *
     * @param timeout the longest wait
     * @return the server's notification (success)
     * @throws LoginFailedException when the server says the login failed or was cancelled
     * @throws RequestTimeoutException when it did not complete within {@code timeout} (the login
     *     goes on: wait again, or {@link #cancel()} it)
     * @throws dev.codex4j.errors.TransportClosedException when the client closed first
     * @throws CodexException when the calling thread is interrupted
     */
    public AccountLoginCompletedNotification await(Duration timeout) {
        Deadline deadline = Deadline.after(timeout);
        try {
            for (;;) {
                if (deadline.isExpired()) {
                    throw new RequestTimeoutException("account/login/completed", timeout);
                }
                try {
                    AccountLoginCompletedNotification n = done.get(Math.min(deadline.remainingNanos(), CLOSED_CHECK_NANOS),
                            TimeUnit.NANOSECONDS);
                    session.refreshAccount();
                    return n;
                } catch (TimeoutException e) {
                    if (session.state() == Codex.State.CLOSED) {
                        throw session.connection().closedException();
                    }
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof LoginFailedException f) {
                throw new LoginFailedException(f.loginId().orElse(null), f.error().map(Secrets::scrub).orElse(null));
            }
            throw new CodexException(String.valueOf(e.getCause()), e.getCause());
        } catch (InterruptedException e) {
            throw Waits.interrupted("login " + loginId + " to complete", e);
        }
    }

    /**
     * Cancels the login ({@code account/login/cancel}); a waiter in {@link #await} then gets
     * {@link LoginFailedException}. An API-key login has nothing to cancel.
     *
     * @return {@code canceled}, or {@code notFound} when the server no longer has it (it completed)
     */
    public CancelLoginAccountStatus cancel() {
        String id = loginId;
        if (id == null) {
            return CancelLoginAccountStatus.NOT_FOUND;
        }
        CancelLoginAccountStatus status = session.call(ClientMethods.ACCOUNT_LOGIN_CANCEL,
                CancelLoginAccountParams.builder().loginId(id).build()).status();
        if (CancelLoginAccountStatus.CANCELED.equals(status)) {
            done.completeExceptionally(new LoginFailedException(id, "cancelled by the client"));
            subscription.close();
        }
        return status;
    }

    /** Cancels the login if it has not completed, and stops listening. Throws nothing. */
    @Override
    public void close() {
        try {
            if (!done.isDone() && session.state() != Codex.State.CLOSED) {
                cancel();
            }
        } catch (RuntimeException e) {
            System.getLogger(Login.class.getName()).log(System.Logger.Level.DEBUG, () -> "Cancelling login " + loginId
                    + " failed: " + e);
        } finally {
            subscription.close();
        }
    }
}
