package dev.codex4j;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a public method as a tool the model can call; {@link Tool#from(Object)} turns an
 * object's marked methods into {@link Tool}s. The method takes one record (the arguments, bound
 * strictly) and returns what {@link Tool.Function#call} may return.
 *
 * <pre>{@code
 * class Weather {
 *     record City(String name) {}
 *
 *     @CodexTool(description = "Today's forecast for a city", timeoutSeconds = 10)
 *     public String forecast(City city) { return "sunny in " + city.name(); }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CodexTool {
    /** @return the tool's name (default: the method's name) */
    String name() default "";

    /** @return what the tool does, for the model */
    String description();

    /** @return how long one call may run, in seconds (0: the default of 60 s) */
    long timeoutSeconds() default 0;
}
