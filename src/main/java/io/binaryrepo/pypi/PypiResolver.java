package io.binaryrepo.pypi;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.config.ConfigException;
import io.binaryrepo.repo.ClientRequest;
import io.binaryrepo.repo.ErrorStyle;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;
import io.binaryrepo.repo.Resource;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One PyPI repository: the simple API ({@code simple/}, {@code simple/<project>/}: {@link SimplePages}) and the
 * files its pages link to ({@code files/...}: {@link PypiFiles}). Path grammar:
 * <ul>
 *   <li>{@code simple} and {@code simple/<name>} (no trailing slash), and {@code simple/<name>/} with a name that
 *       is not normalised, are redirected (301, relative {@code Location}) to {@code simple/<normalised>/}
 *       (PEP 503);</li>
 *   <li>anything else outside {@code simple/} and {@code files/} is 404; methods other than GET and HEAD (the
 *       legacy upload API's POST) are 405.</li>
 * </ul>
 * Errors are plain text (pip shows the status and reason). Thread-safe.
 */
final class PypiResolver implements Resolver {
    /** A page larger than this is refused (PyPI's largest JSON pages are a few tens of MB). */
    static final int MAX_PAGE_BYTES = 128 * 1024 * 1024;
    private static final Duration NEGATIVE_TTL = Duration.ofMinutes(1);

    private final SimplePages pages;
    private final PypiFiles files;

    /** @throws ConfigException when {@code fileHosts} holds something that is not an http(s) URL */
    PypiResolver(RepositoryContext context) {
        String name = context.name();
        UpstreamHosts hosts;
        try {
            hosts = new UpstreamHosts(context.upstream().base(), context.config().optionList("fileHosts"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("repository '" + name + "': " + e.getMessage());
        }
        Duration ttl = context.config().metadataTtl();
        Duration negative = ttl.compareTo(NEGATIVE_TTL) < 0 ? ttl : NEGATIVE_TTL;
        this.pages = new SimplePages(name, context.upstream(), hosts, context.documents(),
                new MutableDocuments.Policy(ttl, negative, MAX_PAGE_BYTES));
        this.files = new PypiFiles(name, pages, hosts, context.upstream());
    }

    @Override
    public Resource resolve(ClientRequest request) {
        String path = request.path();
        if (path.equals("simple")) {
            return redirect("simple/");
        }
        if (path.equals("simple/")) {
            return pages.root(request.headers("Accept"));
        }
        if (path.startsWith("simple/")) {
            String rest = path.substring("simple/".length());
            boolean slash = rest.endsWith("/");
            String raw = slash ? rest.substring(0, rest.length() - 1) : rest;
            if (raw.indexOf('/') >= 0) {
                throw notFound(path);
            }
            String project = ProjectName.parse(raw);
            if (!slash) {
                return redirect(project + "/");
            }
            if (!raw.equals(project)) {
                return redirect("../" + project + "/");
            }
            return pages.project(project, request.headers("Accept"));
        }
        if (path.startsWith("files/")) {
            return files.resource(path.substring("files/".length()));
        }
        throw notFound(path);
    }

    private static Resource.Fixed redirect(String location) {
        return new Resource.Fixed(301, "text/plain; charset=utf-8", Map.of("Location", location),
                ("moved to " + location + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static ProxyError notFound(String path) {
        String shown = path.length() > 200 ? path.substring(0, 200) + "..." : path;
        return new ProxyError(404, "NOT_FOUND", "'" + shown + "' is not part of the simple repository API; "
                + "use this repository's simple/ URL as pip's --index-url");
    }

    @Override
    public ErrorStyle errorStyle() {
        return ErrorStyle.plainText(true);
    }
}
