package io.binaryrepo.s3;

import io.binaryrepo.cache.StorageKeys;
import io.binaryrepo.config.ConfigException;
import io.binaryrepo.config.Settings;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The S3 backend's settings (issue 16; the names are fixed): context parameters, each overridable by a
 * system property of the same name ({@link Settings}). Credentials are not settings: they come from the AWS
 * SDK's default provider chain (environment, profile, instance role) and are never logged. Immutable.
 *
 * @param bucket the bucket; set means the S3 backend is used
 * @param prefix the key prefix inside the bucket, "" or ending in '/'
 * @param region the region, empty to ask the SDK's region chain (us-east-1 with an {@code endpoint})
 * @param endpoint a non-AWS endpoint (MinIO, Ceph RGW, S3Proxy), empty for AWS
 * @param pathStyle path-style requests ({@code endpoint/bucket/key}) instead of virtual-hosted ones
 * @param redirect cached content is answered with a redirect to a short-lived presigned URL
 */
public record S3Settings(String bucket, String prefix, Optional<String> region, Optional<URI> endpoint,
        boolean pathStyle, boolean redirect) {
    public static final String BUCKET = "binaryrepo.storage.s3.bucket";
    public static final String PREFIX = "binaryrepo.storage.s3.prefix";
    public static final String REGION = "binaryrepo.storage.s3.region";
    public static final String ENDPOINT = "binaryrepo.storage.s3.endpoint";
    public static final String PATH_STYLE = "binaryrepo.storage.s3.pathStyle";
    public static final String REDIRECT = "binaryrepo.storage.s3.redirect";

    /** S3's bucket naming rules, loosened to what MinIO, Ceph RGW and S3Proxy also accept. */
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]");
    private static final Pattern REGION_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /**
     * The S3 settings, when {@link #BUCKET} is set.
     *
     * @throws ConfigException naming the parameter when a value is invalid
     */
    public static Optional<S3Settings> from(Settings settings) {
        Optional<String> bucket = settings.get(BUCKET);
        if (bucket.isEmpty()) {
            return Optional.empty();
        }
        if (!BUCKET_NAME.matcher(bucket.get()).matches()) {
            throw invalid(BUCKET, bucket.get(), "use 3 to 63 lower-case letters, digits, '.', '-' or '_'");
        }
        String prefix = settings.get(PREFIX).map(S3Settings::prefix).orElse("");
        Optional<String> region = settings.get(REGION);
        if (region.isPresent() && !REGION_NAME.matcher(region.get()).matches()) {
            throw invalid(REGION, region.get(), "use a region name such as eu-central-1");
        }
        Optional<URI> endpoint = settings.get(ENDPOINT).map(S3Settings::endpoint);
        return Optional.of(new S3Settings(bucket.get(), prefix, region, endpoint, bool(settings, PATH_STYLE),
                bool(settings, REDIRECT)));
    }

    /** Where the bucket is, for messages: the endpoint (never with credentials) or "AWS S3". */
    String where() {
        return endpoint.map(URI::toString).orElse("AWS S3" + region.map(r -> " in " + r).orElse(""));
    }

    private static String prefix(String value) {
        String p = value.replaceAll("/+$", "");
        try {
            StorageKeys.check(p);
        } catch (IllegalArgumentException e) {
            throw invalid(PREFIX, value, "use slash-separated names of letters, digits, '.', '_' and '-' ("
                    + e.getMessage() + ")");
        }
        return p + "/";
    }

    private static URI endpoint(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw invalid(ENDPOINT, value, "use a URL such as http://minio.example.com:9000");
        }
        if (uri.getUserInfo() != null) {
            // never echo what could be a secret
            throw new ConfigException("binaryrepo not started: " + ENDPOINT + " must not contain credentials; "
                    + "they come from the AWS SDK's default provider chain (AWS_ACCESS_KEY_ID, profile, role)");
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw invalid(ENDPOINT, value, "use http:// or https:// with a host and optional port, no path");
        }
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
    }

    private static boolean bool(Settings settings, String name) {
        Optional<String> v = settings.get(name);
        if (v.isEmpty()) {
            return false;
        }
        return switch (v.get()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(name, v.get(), "use true or false");
        };
    }

    private static ConfigException invalid(String name, String value, String advice) {
        return new ConfigException("binaryrepo not started: " + name + " is '" + value + "'; " + advice);
    }
}
