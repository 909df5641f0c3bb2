package io.binaryrepo.web;

/** Who sends cached files: binaryrepo itself, or the frontend in front of it ({@code binaryrepo.offload}). */
enum Offload {
    /** binaryrepo sends them (Tomcat's sendfile, Jetty's mapped writes, or a copy loop). */
    NONE,
    /** {@code X-Accel-Redirect: /_binaryrepo_cache/<key>}: the nginx frontend aliases that internal location. */
    NGINX,
    /** {@code X-Sendfile: <absolute path>}: Apache httpd's mod_xsendfile with {@code XSendFilePath} the cache root. */
    APACHE;

    /** The nginx {@code internal} location that aliases the cache root (scripts/frontend-nginx.conf.tmpl). */
    static final String NGINX_LOCATION = "/_binaryrepo_cache/";
}
