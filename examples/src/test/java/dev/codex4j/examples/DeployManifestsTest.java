package dev.codex4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Kubernetes manifests in {@code deploy/k8s} parse, hang together (selectors, ports, volumes,
 * secrets), and say what docs/FLEET.md says of them (names and ports).
 */
class DeployManifestsTest {
    private static final Path ROOT = Path.of(System.getProperty("codex4j.repo.root", ".."));

    private static List<Map<String, Object>> manifests() throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        try (Stream<Path> files = Files.list(ROOT.resolve("deploy/k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                Load load = new Load(LoadSettings.builder().setLabel(f.toString()).build());
                for (Object doc : load.loadAllFromString(Files.readString(f, StandardCharsets.UTF_8))) {
                    docs.add(map(doc, f + ": a manifest"));
                }
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        assertTrue(o instanceof Map, what + " is a mapping: " + o);
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o, String what) {
        assertTrue(o instanceof List, what + " is a list: " + o);
        return (List<Object>) o;
    }

    /** The value at a dotted path ({@code spec.template.spec}), failing with the path when missing. */
    private static Object at(Map<String, Object> m, String path) {
        Object o = m;
        for (String key : path.split("\\.")) {
            o = map(o, path).get(key);
            assertNotNull(o, "missing " + path);
        }
        return o;
    }

    private static Map<String, Object> one(List<Map<String, Object>> all, String kind, String name) {
        List<Map<String, Object>> found = all.stream().filter(m -> kind.equals(m.get("kind"))
                && name.equals(at(m, "metadata.name"))).toList();
        assertEquals(1, found.size(), "one " + kind + " " + name);
        return found.getFirst();
    }

    private static Map<String, Object> container(Map<String, Object> workload, String name) {
        return list(at(workload, "spec.template.spec.containers"), "containers").stream()
                .map(c -> map(c, "a container")).filter(c -> name.equals(c.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no container " + name));
    }

    @Test
    void theManifestsParseAndHangTogether() throws IOException {
        List<Map<String, Object>> all = manifests();
        for (Map<String, Object> m : all) {
            assertNotNull(m.get("apiVersion"), m.toString());
            assertNotNull(m.get("kind"), m.toString());
            assertNotNull(at(m, "metadata.name"));
        }
        Map<String, Object> service = one(all, "Service", "codex-app-server");
        Map<String, Object> sts = one(all, "StatefulSet", "codex-app-server");
        assertEquals("None", at(service, "spec.clusterIP"), "headless");
        assertEquals(at(service, "metadata.name"), at(sts, "spec.serviceName"));
        assertEquals(at(service, "spec.selector"), at(sts, "spec.template.metadata.labels"));
        assertEquals(at(sts, "spec.selector.matchLabels"), at(sts, "spec.template.metadata.labels"));

        Map<String, Object> port = map(list(at(service, "spec.ports"), "ports").getFirst(), "port");
        Map<String, Object> proxy = container(sts, "tls-proxy");
        Map<String, Object> proxyPort = map(list(at(proxy, "ports"), "ports").getFirst(), "port");
        assertEquals(port.get("targetPort"), proxyPort.get("name"));
        assertEquals(port.get("port"), proxyPort.get("containerPort"));

        // the app-server listens where the proxy sends
        Map<String, Object> app = container(sts, "app-server");
        List<Object> command = list(at(app, "command"), "command");
        String listen = (String) command.get(command.indexOf("--listen") + 1);
        String nginx = (String) map(at(one(all, "ConfigMap", "codex-app-server-proxy"), "data"), "data")
                .get("nginx.conf");
        assertTrue(nginx.contains("proxy_pass http://" + listen.substring("ws://".length()) + ";"), nginx);
        assertTrue(nginx.contains("listen " + port.get("port") + " ssl"), nginx);
        assertEquals("capability-token", command.get(command.indexOf("--ws-auth") + 1));

        // CODEX_HOME is the per-pod volume
        String home = list(at(app, "env"), "env").stream().map(e -> map(e, "env")).filter(e -> "CODEX_HOME".equals(e.get("name")))
                .map(e -> (String) e.get("value")).findFirst().orElseThrow();
        Map<String, Object> claim = map(list(at(sts, "spec.volumeClaimTemplates"), "claims").getFirst(), "claim");
        String claimName = (String) at(claim, "metadata.name");
        assertTrue(list(at(app, "volumeMounts"), "mounts").stream().map(v -> map(v, "mount"))
                .anyMatch(v -> claimName.equals(v.get("name")) && home.equals(v.get("mountPath"))), "CODEX_HOME on " + claimName);

        // the token file is the Secret's key
        String tokenFile = (String) command.get(command.indexOf("--ws-token-file") + 1);
        Map<String, Object> secret = one(all, "Secret", "codex-app-server-token");
        String key = map(at(secret, "stringData"), "stringData").keySet().iterator().next();
        Map<String, Object> tokenMount = list(at(app, "volumeMounts"), "mounts").stream().map(v -> map(v, "mount"))
                .filter(v -> "token".equals(v.get("name"))).findFirst().orElseThrow();
        assertEquals(tokenMount.get("mountPath") + "/" + key, tokenFile);
        assertTrue(list(at(sts, "spec.template.spec.volumes"), "volumes").stream().map(v -> map(v, "volume"))
                .anyMatch(v -> "token".equals(v.get("name"))
                        && "codex-app-server-token".equals(map(v.get("secret"), "secret").get("secretName"))));

        // the backend points at the Service, its port and replicas
        Map<String, Object> backend = one(all, "Deployment", "codex-backend");
        Map<String, Object> env = new java.util.HashMap<>();
        for (Object e : list(at(container(backend, "backend"), "env"), "env")) {
            Map<String, Object> m = map(e, "env");
            env.put((String) m.get("name"), m.get("value"));
        }
        assertEquals(at(service, "metadata.name"), env.get("CODEX_FLEET_SERVICE"));
        assertEquals(String.valueOf(port.get("port")), env.get("CODEX_FLEET_PORT"));
        assertEquals(String.valueOf(at(sts, "spec.replicas")), env.get("CODEX_FLEET_REPLICAS"));
        assertEquals(tokenFile, env.get("CODEX_TOKEN_FILE"));
    }

    @Test
    void fleetMdNamesTheManifestsNamesAndPorts() throws IOException {
        List<Map<String, Object>> all = manifests();
        String doc = Files.readString(ROOT.resolve("docs/FLEET.md"), StandardCharsets.UTF_8);
        Map<String, Object> service = one(all, "Service", "codex-app-server");
        Map<String, Object> sts = one(all, "StatefulSet", "codex-app-server");
        String name = (String) at(service, "metadata.name");
        Object port = map(list(at(service, "spec.ports"), "ports").getFirst(), "port").get("port");
        for (Map<String, Object> m : all) {
            String n = (String) at(m, "metadata.name");
            assertTrue(doc.contains("`" + n + "`"), "FLEET.md names " + m.get("kind") + " " + n);
        }
        assertTrue(doc.contains("port `" + port + "`"), "FLEET.md gives the Service's port " + port);
        // the Java example connects to the pods by their stable names, on the Service's port
        Matcher uri = Pattern.compile("URI\\.create\\(\"wss://" + Pattern.quote(name) + "-\" \\+ i \\+ \"\\."
                + Pattern.quote(name) + ":(\\d+)\"\\)").matcher(doc);
        assertTrue(uri.find(), "FLEET.md's example connects to wss://" + name + "-N." + name + ":PORT");
        assertEquals(String.valueOf(port), uri.group(1));
        // the DNS form follows the headless Service's name, on the same port
        Matcher dns = Pattern.compile("DnsEndpoints\\.builder\\(URI\\.create\\(\"wss://" + Pattern.quote(name)
                + "\\.[a-z0-9.-]+:(\\d+)\"\\)").matcher(doc);
        assertTrue(dns.find(), "FLEET.md's DNS example follows wss://" + name + ".NAMESPACE...:PORT");
        assertEquals(String.valueOf(port), dns.group(1));
        Matcher replicas = Pattern.compile("for \\(int i = 0; i < (\\d+); i\\+\\+\\) \\{\\s+// the StatefulSet's replicas").matcher(doc);
        assertTrue(replicas.find());
        assertEquals(String.valueOf(at(sts, "spec.replicas")), replicas.group(1));
        List<Object> command = list(at(container(sts, "app-server"), "command"), "command");
        String listen = (String) command.get(command.indexOf("--listen") + 1);
        assertTrue(doc.contains("`" + listen + "`"), "FLEET.md says the app-server listens on " + listen);
        Map<String, Object> claim = map(list(at(sts, "spec.volumeClaimTemplates"), "claims").getFirst(), "claim");
        assertTrue(doc.contains("`" + at(claim, "metadata.name") + "`"));
        String tokenFile = (String) command.get(command.indexOf("--ws-token-file") + 1);
        assertTrue(doc.contains("Path.of(\"" + tokenFile + "\")"), "the example reads the token at " + tokenFile);
        for (String secret : List.of("codex-app-server-tls", "codex-backend-db")) {
            assertTrue(doc.contains("`" + secret + "`"), secret);
        }
        assertFalse(doc.contains("codex-app-server-9"), "no pod beyond the replicas");
    }
}
