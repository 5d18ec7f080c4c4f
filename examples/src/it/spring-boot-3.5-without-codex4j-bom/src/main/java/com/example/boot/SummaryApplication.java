package com.example.boot;

import dev.codex4j.Codex;
import dev.codex4j.RunResult;
import dev.codex4j.protocol.AppServerLaunch;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** A Spring Boot application with one {@link Codex} client (one app-server child) for all its beans. */
@SpringBootApplication
public class SummaryApplication {

    /** Closed with the context, which ends the child process. An {@link AppServerLaunch} bean, if any, says how to start it. */
    @Bean(destroyMethod = "close")
    Codex codex(ObjectProvider<AppServerLaunch> launch) {
        return Codex.builder().launch(launch.getIfAvailable(AppServerLaunch::defaults)).build();
    }

    @Bean
    Summarizer summarizer(Codex codex) {
        return new Summarizer(codex);
    }

    public static void main(String[] args) {
        SpringApplication.run(SummaryApplication.class, args);
    }

    /** A bean that uses Codex. */
    public static final class Summarizer {
        private final Codex codex;

        Summarizer(Codex codex) {
            this.codex = codex;
        }

        public String summarize(String text) {
            RunResult result = codex.startThread().run("Summarize in one line:\n" + text);
            return result.finalResponse().orElseThrow();
        }
    }
}
