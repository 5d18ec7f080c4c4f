package dev.codex4j.examples;

import dev.codex4j.Codex;
import dev.codex4j.errors.AuthenticationRequiredException;

/**
 * Signing in and out: with the OpenAI provider a client without an account cannot start a turn
 * (it fails at once); an API key fixes that, and a logout undoes it. Offline, the key is a fake
 * one in a private {@code CODEX_HOME}: storing it needs no network.
 */
public final class SignIn {
    private SignIn() {}

    /** @param args unused */
    public static void main(String[] args) {
        try (ExampleSession session = ExampleSession.open(model -> { },
                fixture -> fixture.config("model_provider", "\"openai\""), b -> b)) {
            Codex codex = session.codex();
            System.out.println("account: " + codex.account().account());
            if (ExampleSession.live()) {
                return; // your own account: nothing to show without changing it
            }
            try {
                codex.startThread().turn("hello");
            } catch (AuthenticationRequiredException e) {
                System.out.println("without an account: " + e.getClass().getSimpleName());
            }
            {
                codex.loginWithApiKey("sk-codex4j-example-not-a-real-key");
                System.out.println("after loginWithApiKey: " + codex.account().account());
                codex.logout();
                System.out.println("after logout: " + codex.account().account());
            }
        }
    }
}
