package dev.codex4j.reliability;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.FileHandler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Runs reliability campaigns and prints their figures; {@code scripts/reliability} calls it.
 * Exits 1 when a campaign failed (a count that must be zero was not), 0 otherwise; missed latency
 * targets are printed, not fatal.
 *
 * <pre>{@code
 * scripts/reliability                       # every campaign but the soak, short form
 * scripts/reliability kills fuzz --full     # two campaigns, full form
 * scripts/reliability soak --full           # the 30-minute soak
 * scripts/reliability soak --minutes=1      # a one-minute soak
 * }</pre>
 */
public final class ReliabilityMain {
    /** Every campaign by name, in the order they run. */
    static final Map<String, Function<Size, Report>> CAMPAIGNS = new LinkedHashMap<>();
    /** Held strongly: java.util.logging forgets the handlers of a logger nobody references. */
    private static final Logger SDK_LOG = Logger.getLogger("dev.codex4j");

    static {
        CAMPAIGNS.put("kills", KillCampaign::run);
        CAMPAIGNS.put("cycles", OpenCloseCampaign::run);
        CAMPAIGNS.put("fuzz", FuzzCampaign::run);
        CAMPAIGNS.put("deadlines", DeadlineCampaign::run);
        CAMPAIGNS.put("sequence", SequenceCampaign::run);
        CAMPAIGNS.put("memory", MemoryCampaign::run);
        CAMPAIGNS.put("socket-kills", SocketKillCampaign::run);
        CAMPAIGNS.put("hostile", HostilePeerCampaign::run);
        CAMPAIGNS.put("soak", SoakCampaign::run);
    }

    private ReliabilityMain() {}

    /**
     * @param args campaign names (default: all but {@code soak}), {@code --full} for the full form,
     *     {@code --minutes=N} for the soak's length
     */
    public static void main(String[] args) {
        Size size = Size.SHORT;
        List<String> names = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--full")) {
                size = Size.FULL;
            } else if (a.startsWith("--minutes=")) {
                System.setProperty(SoakCampaign.MINUTES_PROPERTY, a.substring("--minutes=".length()));
            } else if (a.startsWith("--")) {
                usage("unknown option " + a);
            } else if (!CAMPAIGNS.containsKey(a)) {
                usage("unknown campaign " + a);
            } else {
                names.add(a);
            }
        }
        if (names.isEmpty()) {
            CAMPAIGNS.keySet().stream().filter(n -> !n.equals("soak")).forEach(names::add);
        }
        logToFile(Path.of("target", "reliability.log")); // exec:exec runs in the module's directory
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "codex4j reliability, %s form, %s: %d cores, load average %s, Java %s (%s),"
                        + " max heap %d MiB, %s%n", size.name().toLowerCase(Locale.ROOT), Instant.now(), rt.availableProcessors(),
                Probe.loadAverage(), System.getProperty("java.version"), System.getProperty("java.vm.name"),
                rt.maxMemory() >> 20, ManagementFactory.getOperatingSystemMXBean().getName());
        boolean failed = false;
        for (String name : names) {
            Report r = CAMPAIGNS.get(name).apply(size);
            r.print(System.out);
            System.out.println("   load average after: " + Probe.loadAverage());
            failed |= !r.failures().isEmpty();
        }
        System.exit(failed ? 1 : 0);
    }

    /**
     * Sends the SDK's log ({@code dev.codex4j}, through {@code java.util.logging}) to a file instead of
     * the console: the fuzz campaign makes it quote garbage. The campaigns' own handlers still see
     * every record.
     */
    private static void logToFile(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            FileHandler handler = new FileHandler(file.toString());
            handler.setFormatter(new SimpleFormatter());
            SDK_LOG.addHandler(handler);
            SDK_LOG.setUseParentHandlers(false);
            System.out.println("the SDK's log goes to " + file.toAbsolutePath());
        } catch (IOException | RuntimeException e) {
            System.err.println("reliability: the SDK's log stays on the console (" + e + ")");
        }
    }

    private static void usage(String why) {
        System.err.println("reliability: " + why);
        System.err.println("usage: scripts/reliability [" + String.join("|", CAMPAIGNS.keySet())
                + " ...] [--full] [--minutes=N]");
        System.exit(2);
    }
}
