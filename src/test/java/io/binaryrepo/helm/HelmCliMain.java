package io.binaryrepo.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.SearchResult;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * Runs real Helm 3 (helm-java, Helm as a native library) in a child JVM for {@link HelmClient}: Helm's
 * Go runtime reads {@code HELM_CACHE_HOME}, {@code HELM_CONFIG_HOME} and {@code HELM_DATA_HOME} from the
 * process environment once, when the library loads, so each client with its own home directories needs
 * its own process. Arguments: a repositories file, then commands, each printed after a line
 * {@code === <command>}:
 * <pre>
 *   repo-add NAME URL | repo-add-auth NAME URL USER PASSWORD | repo-update | search KEYWORD | template CHART
 *   | dependency-update DIR
 * </pre>
 * Exits 1 with the failure on stderr when a command fails.
 */
public final class HelmCliMain {
    private HelmCliMain() {
    }

    public static void main(String[] args) {
        Deque<String> in = new ArrayDeque<>(Arrays.asList(args));
        Path repositories = Path.of(in.pop());
        try {
            while (!in.isEmpty()) {
                String command = in.pop();
                System.out.println("=== " + command);
                switch (command) {
                    case "repo-add" -> Helm.repo().add().withRepositoryConfig(repositories).withName(in.pop())
                            .withUrl(URI.create(in.pop())).call();
                    case "repo-add-auth" -> Helm.repo().add().withRepositoryConfig(repositories).withName(in.pop())
                            .withUrl(URI.create(in.pop())).withUsername(in.pop()).withPassword(in.pop()).call();
                    case "repo-update" -> Helm.repo().update().withRepositoryConfig(repositories).call();
                    case "search" -> {
                        for (SearchResult r : Helm.search().repo().withRepositoryConfig(repositories)
                                .withKeyword(in.pop()).call()) {
                            System.out.println(r.getName() + " " + r.getChartVersion());
                        }
                    }
                    case "template" -> System.out.println(Helm.template(in.pop()).withRepositoryConfig(repositories)
                            .withName("rel").call());
                    case "dependency-update" -> System.out.println(new Helm(Path.of(in.pop())).dependency().update().call());
                    default -> throw new IllegalArgumentException("unknown command " + command);
                }
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
