package dev.codex4j.spring.boot.app;

import dev.codex4j.Codex;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web application whose only codex4j code is its use of the {@link Codex} bean that the starter
 * made: {@code POST /ask} runs one turn and answers its final response. The same source runs on
 * Spring Boot 3.5 (this module) and 4.0 (spring-boot-starter-boot4-tests).
 */
@SpringBootApplication
public class AskApplication {

    /** The endpoint. */
    @RestController
    public static class AskController {
        private final Codex codex;

        /** @param codex the starter's client */
        public AskController(Codex codex) {
            this.codex = codex;
        }

        /**
         * @param prompt the prompt
         * @return the turn's status and final response
         */
        @PostMapping("/ask")
        public String ask(@RequestBody String prompt) {
            var result = codex.startThread().run(prompt);
            return result.status().value() + ": " + result.finalResponse().orElse("");
        }
    }
}
