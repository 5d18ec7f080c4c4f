package dev.codex4j.reliability;

/**
 * How big a campaign runs: {@link #SHORT} in {@code mvn verify} (CI, seconds, counts asserted),
 * {@link #FULL} from {@code scripts/reliability --full} (the sizes of issue 10, figures printed).
 *
 * <pre>{@code
 * Report r = SequenceCampaign.run(Size.SHORT);
 * }</pre>
 */
public enum Size {
    /** Small enough for CI on a shared 2-core machine. */
    SHORT,
    /** The published figures. */
    FULL
}
