package dev.codex4j.internal.sdk;

import dev.codex4j.VersionPolicy;
import dev.codex4j.protocol.CodexCli;
import dev.codex4j.errors.IncompatibleServerVersionException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Applies a {@link VersionPolicy} to the server's {@code initialize} user agent: returns, logs a
 * WARNING, or throws {@link IncompatibleServerVersionException}. Stateless; {@code Codex} calls it
 * once per connection, right after the handshake.
 */
public final class ServerVersionCheck {
    private static final System.Logger LOG = System.getLogger("dev.codex4j.Codex");
    /** {@code originator/1.2.3} or {@code originator/1.2.3-alpha.4} at the start of the user agent. */
    private static final Pattern VERSION = Pattern.compile("^[^/\\s]*/(\\d+)\\.(\\d+)\\.(\\d+)([-+][0-9A-Za-z.-]+)?(?:\\s|$)");

    private ServerVersionCheck() {}

    /**
     * @param policy the client's policy
     * @param userAgent the {@code initialize} reply's user agent
     * @return the server's version, or null when the user agent names none
     * @throws IncompatibleServerVersionException when the policy refuses the version
     */
    public static @Nullable String apply(VersionPolicy policy, String userAgent) {
        return apply(policy, userAgent, CodexCli.pinnedVersion(), CodexCli.supportedOlderVersions());
    }

    /** The same against a given pin and supported older versions (for tests). */
    static @Nullable String apply(VersionPolicy policy, String userAgent, String pin, List<String> older) {
        Matcher m = VERSION.matcher(userAgent);
        String version = m.find() ? m.group(1) + "." + m.group(2) + "." + m.group(3) + (m.group(4) == null ? "" : m.group(4))
                : null;
        String problem = problem(policy, version, pin, older);
        if (problem == null) {
            return version;
        }
        String message = (version == null ? "The app-server's user agent names no Codex CLI version (\"" + userAgent + "\")"
                : "The app-server runs Codex CLI " + version) + ", " + problem + ": this codex4j is built for Codex CLI "
                + pin + (older.isEmpty() ? "" : " and also tested with " + String.join(", ", older));
        boolean refused = switch (policy) {
            case WARN -> false;
            case NEWER_ALLOWED -> version == null || compare(version, pin) < 0;
            case EXACT, SAME_MINOR -> true;
        };
        if (refused) {
            throw new IncompatibleServerVersionException(message + " (set Codex.builder().versionPolicy(...) to allow"
                    + " it, or install the pinned CLI: npm install -g @openai/codex@" + pin + ")", version, pin, userAgent);
        }
        LOG.log(Level.WARNING, message + " (VersionPolicy." + policy + " allows it)");
        return version;
    }

    /** @return why the version is not simply fine under the policy, or null when it is */
    private static @Nullable String problem(VersionPolicy policy, @Nullable String version, String pin, List<String> older) {
        if (version == null) {
            return "which VersionPolicy." + policy + (policy == VersionPolicy.WARN ? " runs untested" : " refuses");
        }
        boolean tested = base(version).equals(base(pin)) || older.stream().anyMatch(o -> base(o).equals(base(version)));
        return switch (policy) {
            case EXACT -> version.equals(pin) ? null : "which VersionPolicy.EXACT refuses";
            case SAME_MINOR -> minor(version).equals(minor(pin)) ? null
                    : "which VersionPolicy.SAME_MINOR refuses (another major or minor version)";
            case NEWER_ALLOWED -> tested ? null : compare(version, pin) > 0
                    ? "newer than this codex4j was tested with" : "older than the versions this codex4j supports";
            case WARN -> tested ? null : "a version this codex4j was not tested with";
        };
    }

    private static String base(String v) {
        int cut = v.indexOf('-') >= 0 ? v.indexOf('-') : v.indexOf('+');
        return cut < 0 ? v : v.substring(0, cut);
    }

    private static String minor(String v) {
        return v.substring(0, v.lastIndexOf('.', base(v).length()));
    }

    /** Compares major.minor.patch numerically (a pre-release counts as its version). */
    static int compare(String a, String b) {
        String[] x = base(a).split("\\.");
        String[] y = base(b).split("\\.");
        for (int i = 0; i < 3; i++) {
            int c = Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
