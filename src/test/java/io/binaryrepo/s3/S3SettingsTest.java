package io.binaryrepo.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.binaryrepo.config.ConfigException;
import io.binaryrepo.config.Settings;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class S3SettingsTest {
    private static Optional<S3Settings> parse(Map<String, String> context, Map<String, String> system) {
        return S3Settings.from(new Settings(context::get, system::get));
    }

    @Test
    void noBucket_noS3() {
        assertEquals(Optional.empty(), parse(Map.of(S3Settings.ENDPOINT, "http://minio:9000"), Map.of()));
    }

    @Test
    void allParameters_parsed_systemPropertiesWin() {
        Map<String, String> ctx = new HashMap<>(Map.of(S3Settings.BUCKET, "context-bucket", S3Settings.PREFIX, "team/cache/",
                S3Settings.REGION, "eu-central-1", S3Settings.ENDPOINT, "https://rgw.example.com:7480/",
                S3Settings.PATH_STYLE, "true", S3Settings.REDIRECT, "false"));
        S3Settings s = parse(ctx, Map.of(S3Settings.BUCKET, "system-bucket", S3Settings.REDIRECT, "true")).orElseThrow();
        assertEquals(new S3Settings("system-bucket", "team/cache/", Optional.of("eu-central-1"),
                Optional.of(URI.create("https://rgw.example.com:7480")), true, true), s);
    }

    @Test
    void defaults_noPrefix_awsEndpoint_virtualHosted_noRedirect() {
        S3Settings s = parse(Map.of(S3Settings.BUCKET, "b1b"), Map.of()).orElseThrow();
        assertEquals("", s.prefix());
        assertEquals(Optional.empty(), s.endpoint());
        assertEquals(Optional.empty(), s.region());
        assertFalse(s.pathStyle());
        assertFalse(s.redirect());
    }

    @Test
    void prefix_withoutSlash_getsOne() {
        assertEquals("a/b/", parse(Map.of(S3Settings.BUCKET, "bkt", S3Settings.PREFIX, "a/b"), Map.of()).orElseThrow().prefix());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "binaryrepo.storage.s3.bucket, Upper_Case",
        "binaryrepo.storage.s3.bucket, a",
        "binaryrepo.storage.s3.prefix, ../escape",
        "binaryrepo.storage.s3.prefix, a//b",
        "binaryrepo.storage.s3.region, EU West",
        "binaryrepo.storage.s3.endpoint, ftp://host",
        "binaryrepo.storage.s3.endpoint, http://host:9000/some/path",
        "binaryrepo.storage.s3.endpoint, not a url",
        "binaryrepo.storage.s3.pathStyle, yes",
        "binaryrepo.storage.s3.redirect, 1",
    })
    void invalidValue_stopsWithAMessageNamingTheParameter(String name, String value) {
        Map<String, String> ctx = new HashMap<>(Map.of(S3Settings.BUCKET, "good-bucket"));
        ctx.put(name, value);
        ConfigException e = assertThrows(ConfigException.class, () -> parse(ctx, Map.of()));
        assertTrue(e.getMessage().contains(name), e.getMessage());
        assertTrue(e.getMessage().startsWith("binaryrepo not started: "), e.getMessage());
    }

    @Test
    void endpointWithCredentials_refused_secretNotEchoed() {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(Map.of(S3Settings.BUCKET, "bkt",
                S3Settings.ENDPOINT, "http://user:s3cr3t@minio:9000"), Map.of()));
        assertTrue(e.getMessage().contains(S3Settings.ENDPOINT), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    }
}
