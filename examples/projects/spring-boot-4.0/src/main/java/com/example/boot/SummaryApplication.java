package com.example.boot;

import dev.codex4j.Codex;
import dev.codex4j.RunResult;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with one {@link Codex} client (one app-server child) for all its beans:
 * codex4j-spring-boot-starter makes it from the {@code codex.*} properties in
 * application.properties and shuts it down gracefully with the context (turns in flight may finish
 * for {@code codex.shutdown.grace}, then the child ends). No codex4j code here but its use.
 */
@SpringBootApplication
public class SummaryApplication {

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
