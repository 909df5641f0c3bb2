package io.binaryrepo.pypi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FileLinkTest {
    private static final UpstreamHosts HOSTS = new UpstreamHosts(URI.create("https://index.example/simple"),
            List.of("https://files.example"));
    private static final URI PAGE = URI.create("https://index.example/simple/demo/");

    @Test
    void of_relativeAndAbsoluteLinksOnOurHosts_areNumberedByOrigin() {
        assertEquals(Optional.of(new FileLink("demo", 0, "files/demo-1.0.tar.gz")),
                FileLink.of("demo", HOSTS, PAGE, "../../files/demo-1.0.tar.gz"));
        assertEquals(Optional.of(new FileLink("demo", 0, "simple/demo/demo-1.0.tar.gz")),
                FileLink.of("demo", HOSTS, PAGE, "demo-1.0.tar.gz"));
        assertEquals(Optional.of(new FileLink("demo", 1, "packages/ab/demo-1.0%2Blocal.whl")),
                FileLink.of("demo", HOSTS, PAGE, "https://FILES.example:443/packages/ab/demo-1.0%2Blocal.whl"));
        assertEquals("demo-1.0+local.whl", new FileLink("demo", 1, "packages/ab/demo-1.0%2Blocal.whl").fileName());
    }

    @Test
    void of_otherHostsQueriesUserInfoAndOtherSchemes_areNotProxied() {
        for (String href : new String[] {"https://evil.example/demo-1.0.tar.gz", "http://index.example/demo.tar.gz",
                "https://index.example:8443/demo.tar.gz", "demo-1.0.tar.gz?sig=1", "https://u@files.example/a.whl",
                "file:///etc/passwd", "ftp://files.example/a.whl", "a b.whl", "//evil.example/a.whl"}) {
            assertEquals(Optional.empty(), FileLink.of("demo", HOSTS, PAGE, href), href);
        }
    }

    @Test
    void parse_roundTripsTheRelativeForm_andRefusesTraversalAndBadProjects() {
        FileLink l = new FileLink("demo", 1, "packages/ab/demo-1.0.whl");
        assertEquals("../../files/demo/1/packages/ab/demo-1.0.whl", l.relative());
        assertEquals(Optional.of(l), FileLink.parse("demo/1/packages/ab/demo-1.0.whl"));
        assertEquals(Optional.of(URI.create("https://files.example:443/packages/ab/demo-1.0.whl")), l.upstream(HOSTS));
        for (String bad : new String[] {"demo/0/../x.whl", "demo/0/a/./x.whl", "demo/0/%2e%2e/x", "demo/0/a%2Fb",
                "Demo/0/x.whl", "demo/x/x.whl", "demo/0/", "demo/0//x.whl", "demo/0", "demo/1234/x.whl",
                "demo/0/a\\b"}) {
            assertTrue(FileLink.parse(bad).isEmpty(), bad);
        }
    }

    @Test
    void fileHosts_thatAreNotHttpUrls_areRefusedNamingTheField() {
        for (String bad : new String[] {"files.example", "ftp://files.example", "https://user@files.example", "http://[x"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new UpstreamHosts(URI.create("https://index.example/simple"), List.of(bad)));
            assertTrue(e.getMessage().startsWith("field 'fileHosts': '" + bad + "'"), e.getMessage());
        }
    }
}
