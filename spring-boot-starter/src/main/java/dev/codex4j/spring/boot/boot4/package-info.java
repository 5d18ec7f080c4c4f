/** The Spring Boot 4 health indicator. */
package dev.codex4j.spring.boot.boot4;
