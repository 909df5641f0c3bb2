package io.binaryrepo.pypi;

import java.io.OutputStream;
import java.net.URI;
import java.util.List;

/**
 * Rewrites a generated page of {@code args[1]} bytes ({@code args[0]}: {@code html} or {@code json}) into a
 * counting sink and prints {@code written=N proxied=M entries=K}; run in a small heap by
 * {@link PageRewriteMemoryTest}.
 */
public final class PageRewriteMemoryMain {
    private PageRewriteMemoryMain() {
    }

    public static void main(String[] args) throws Exception {
        boolean json = args[0].equals("json");
        LargePage in = new LargePage(json, Long.parseLong(args[1]));
        long[] written = new long[1];
        OutputStream sink = new OutputStream() {
            @Override
            public void write(int b) {
                written[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                written[0] += len;
            }
        };
        UpstreamHosts hosts = new UpstreamHosts(URI.create("https://index.example/simple"), List.of());
        URI page = URI.create("https://index.example/simple/demo/");
        HtmlPages.Stats s = json ? JsonPages.rewriteProject(in, sink, "demo", hosts, page)
                : HtmlPages.rewriteProject(in, sink, "demo", hosts, page);
        System.out.println("written=" + written[0] + " proxied=" + s.proxied + " entries=" + in.entries());
    }
}
