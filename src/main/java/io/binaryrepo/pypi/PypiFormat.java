package io.binaryrepo.pypi;

import io.binaryrepo.repo.Format;
import io.binaryrepo.repo.RepositoryContext;
import io.binaryrepo.repo.Resolver;
import java.util.Set;

/**
 * Python package indexes ({@code type: pypi}): the simple repository API (PEP 503, 691, 658, 700, 714) and the
 * files it links to. Option {@code fileHosts}: the URLs of hosts besides the index's own that its pages link
 * files on (PyPI's files host). Stateless.
 */
public final class PypiFormat implements Format {

    @Override
    public String type() {
        return "pypi";
    }

    @Override
    public Set<String> options() {
        return Set.of("fileHosts");
    }

    @Override
    public Resolver open(RepositoryContext context) {
        return new PypiResolver(context);
    }
}
