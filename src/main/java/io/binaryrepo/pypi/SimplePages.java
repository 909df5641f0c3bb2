package io.binaryrepo.pypi;

import io.binaryrepo.cache.MutableDocuments;
import io.binaryrepo.repo.Documents;
import io.binaryrepo.repo.Failures;
import io.binaryrepo.repo.ProxyError;
import io.binaryrepo.repo.Resource;
import io.binaryrepo.repo.UpstreamDocuments;
import io.binaryrepo.upstream.UpstreamClient;
import io.binaryrepo.upstream.UpstreamException;
import io.binaryrepo.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simple API's pages, {@code /simple/} and {@code /simple/<project>/}, as documents of the shared document
 * cache: served within the repository's {@code metadataTtl} (whatever the client's {@code Cache-Control} says:
 * pip sends {@code max-age=0}, which would otherwise make every install a revalidation), then revalidated,
 * stale if upstream fails. Upstream is asked for the richest form it offers (JSON first); the page is stored
 * rewritten in that form ({@link HtmlPages}, {@link JsonPages}) and answered as the client's {@code Accept}
 * prefers ({@link Negotiation}), HTML derived from JSON when needed ({@link HtmlFromJson}), always with
 * {@code Vary: Accept}. Thread-safe.
 */
final class SimplePages {
    private static final Logger LOG = LoggerFactory.getLogger(SimplePages.class);
    /** Sent upstream: JSON preferred, HTML accepted (PEP 691). */
    static final String UPSTREAM_ACCEPT = Negotiation.JSON + ", " + Negotiation.HTML_V1 + ";q=0.2, "
            + Negotiation.TEXT_HTML + ";q=0.1";

    private final String repo;
    private final UpstreamClient upstream;
    private final UpstreamHosts hosts;
    private final Documents documents;
    private final MutableDocuments.Policy policy;

    SimplePages(String repo, UpstreamClient upstream, UpstreamHosts hosts, Documents documents,
            MutableDocuments.Policy policy) {
        this.repo = repo;
        this.upstream = upstream;
        this.hosts = hosts;
        this.documents = documents;
        this.policy = policy;
    }

    /** Whether a stored page's content type is the JSON form. */
    static boolean isJson(String contentType) {
        String t = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).trim();
        return t.startsWith("application/vnd.pypi.simple.") && t.contains("+json");
    }

    /** {@code /simple/}, answered in the form {@code accept} prefers. */
    Resource.Document root(List<String> accept) {
        String key = "pypi/" + repo + "/simple/_index";
        return new Resource.Document(key, policy,
                UpstreamDocuments.conditionalGet(h -> get("/", h), r -> readRoot(r, key), "the project list"),
                d -> render(d, accept, null), failures("the project list"));
    }

    /** {@code /simple/<project>/} ({@code project} normalised), answered in the form {@code accept} prefers. */
    Resource.Document project(String project, List<String> accept) {
        URI page = URI.create(upstream.base() + "/" + project + "/");
        String key = "pypi/" + repo + "/simple/" + project;
        return new Resource.Document(key, policy,
                UpstreamDocuments.conditionalGet(h -> get("/" + project + "/", h), r -> readProject(r, key, project, page),
                        "the page of project '" + project + "'"),
                d -> render(d, accept, project), failures("project '" + project + "'"));
    }

    /**
     * The current page's entry for {@code link} (the page fetched or revalidated as its policy says).
     *
     * @throws ProxyError 404 when upstream has no such project
     * @throws IOException when upstream fails and no page is cached
     */
    Optional<FileEntry> entry(FileLink link) throws IOException {
        MutableDocuments.Document d = documents.current(project(link.project(), List.of()));
        return isJson(d.contentType()) ? JsonPages.find(d.body(), link) : HtmlPages.find(d.body(), link);
    }

    private UpstreamResponse get(String path, Map<String, String> conditional) throws IOException {
        Map<String, String> h = new LinkedHashMap<>(conditional);
        h.put("Accept", UPSTREAM_ACCEPT);
        return upstream.send("GET", path, h, null);
    }

    private byte[] readRoot(UpstreamResponse r, String key) throws IOException {
        return read(r, key, "the project list", out -> {
            if (isJson(r.header("Content-Type"))) {
                JsonPages.copyRoot(r.body(), out);
            } else {
                HtmlPages.rewriteRoot(r.body(), out);
            }
        });
    }

    private byte[] readProject(UpstreamResponse r, String key, String project, URI page) throws IOException {
        return read(r, key, "the page of project '" + project + "'", out -> {
            HtmlPages.Stats s = isJson(r.header("Content-Type"))
                    ? JsonPages.rewriteProject(r.body(), out, project, hosts, page)
                    : HtmlPages.rewriteProject(r.body(), out, project, hosts, page);
            if (s.dropped > 0 && s.proxied == 0) {
                // Usually a missing fileHosts entry: the page links every file on another host.
                LOG.warn("repository {}: project {}: all {} file links dropped (not on the upstream's own hosts: "
                        + "is the files host missing from fileHosts?)", repo, project, s.dropped);
            } else if (s.dropped > 0) {
                LOG.info("repository {}: project {}: {} file links proxied, {} dropped (not on the upstream's own "
                        + "hosts, or not file links)", repo, project, s.proxied, s.dropped);
            }
        });
    }

    /** How a page body is rewritten into its stored form. */
    @FunctionalInterface
    private interface Rewrite {
        void into(OutputStream out) throws IOException;
    }

    private byte[] read(UpstreamResponse r, String key, String what, Rewrite rewrite) throws IOException {
        refuseOlder(r, key, what);
        if (r.contentLength() > policy.maxBytes()) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream sent " + what + " of "
                    + r.contentLength() + " bytes, over the limit of " + policy.maxBytes() + " bytes", null);
        }
        CappedBuffer out = new CappedBuffer(policy.maxBytes(), what);
        try {
            rewrite.into(out);
        } catch (UpstreamException e) {
            throw e;
        } catch (com.fasterxml.jackson.core.JsonProcessingException | AnchorScanner.InvalidPageException e) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream sent an unusable " + what + ": "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                            : e.getMessage()), e);
        } catch (InterruptedIOException e) {
            throw new UpstreamException(UpstreamException.Kind.TIMEOUT, "upstream timed out sending " + what, e);
        } catch (IOException e) {
            throw new UpstreamException(UpstreamException.Kind.UNREACHABLE, "reading " + what
                    + " from upstream failed: " + e.getClass().getSimpleName(), e);
        }
        return out.toByteArray();
    }

    /** Refuses a page older than the cached one by PyPI's serial ({@link LastSerial}): the cached one stays. */
    private void refuseOlder(UpstreamResponse r, String key, String what) throws UpstreamException {
        long incoming = LastSerial.parse(r.header(LastSerial.HEADER));
        if (incoming < 0) {
            return;
        }
        Optional<MutableDocuments.Document> cached = documents.peek(key).filter(d -> !d.missing());
        long seen = cached.map(d -> LastSerial.of(d.body(), isJson(d.contentType()))).orElse(-1L);
        if (seen > incoming) {
            throw new UpstreamException(UpstreamException.Kind.INVALID, "upstream sent " + what + " at serial "
                    + incoming + ", older than the cached one at serial " + seen, null);
        }
    }

    private static Resource.Rendered render(MutableDocuments.Document d, List<String> accept, String project)
            throws IOException {
        boolean json = isJson(d.contentType());
        String type = Negotiation.choose(accept, json).orElseThrow(() -> new ProxyError(406, "NOT_ACCEPTABLE",
                "this page is available as " + (json ? Negotiation.JSON + ", " : "") + Negotiation.HTML_V1
                        + " and " + Negotiation.TEXT_HTML + "; the request's Accept allows none of them",
                Map.of("Vary", "Accept")));
        String answered = type.equals(Negotiation.TEXT_HTML) ? "text/html; charset=utf-8" : type;
        // Vary: the same URL answers JSON or HTML by Accept (PEP 691); no-cache: an intermediate cache must not
        // keep a page longer than binaryrepo's TTL does.
        Map<String, String> headers = Map.of("Vary", "Accept", "Cache-Control", "no-cache");
        if (json == type.equals(Negotiation.JSON)) {
            return Resource.Rendered.bytes(d.body(), answered, headers);
        }
        return new Derived(d.body(), project, answered, headers);
    }

    private Failures failures(String what) {
        return new Failures() {
            @Override
            public String what() {
                return what;
            }

            @Override
            public ProxyError notFound(int status) {
                return new ProxyError(404, "NOT_FOUND", "the upstream index of repository '" + repo + "' has no "
                        + what + " (HTTP " + status + ")");
            }

            @Override
            public ProxyError denied(int status) {
                return new ProxyError(403, "DENIED", "the upstream index of repository '" + repo
                        + "' denied access to " + what + " (check this repository's upstream credentials)");
            }
        };
    }

    /** HTML derived from a stored JSON page; written twice (once only to count), never held whole. */
    private record Derived(byte[] json, String project, String contentType, Map<String, String> headers)
            implements Resource.Rendered {
        @Override
        public long length() {
            CountingStream c = new CountingStream();
            try {
                writeTo(c);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return c.count;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            if (project == null) {
                HtmlFromJson.root(json, out);
            } else {
                HtmlFromJson.project(json, project, out);
            }
        }
    }

    private static final class CountingStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
