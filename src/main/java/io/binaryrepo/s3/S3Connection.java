package io.binaryrepo.s3;

import io.binaryrepo.config.ConfigException;
import java.io.IOException;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 client and presigner of one bucket, built from {@link S3Settings}: the SDK's HttpClient 5 transport
 * ({@code apache5-client}, the client the upstream side uses), credentials from the given provider (the
 * SDK's default chain in production; never logged), checksums only where S3 requires them (MinIO, Ceph RGW
 * and S3Proxy do not all speak the newer trailing checksums). Turns SDK failures into messages that name the
 * parameter to fix. Thread-safe; {@link #close()} releases the connection pool.
 */
final class S3Connection implements AutoCloseable {
    /** Connections to the object store: each client streaming a cached blob holds one for the transfer. */
    static final int MAX_CONNECTIONS = 256;

    private final S3Settings settings;
    private final S3Client client;
    private final S3Presigner presigner;

    private S3Connection(S3Settings settings, S3Client client, S3Presigner presigner) {
        this.settings = settings;
        this.client = client;
        this.presigner = presigner;
    }

    /**
     * Connects with the SDK's default credentials provider chain.
     *
     * @throws ConfigException naming {@link S3Settings#REGION} when no region can be found
     */
    static S3Connection open(S3Settings settings) {
        return open(settings, DefaultCredentialsProvider.builder().build());
    }

    /** Connects with {@code credentials} (tests pass S3Proxy's). */
    static S3Connection open(S3Settings settings, AwsCredentialsProvider credentials) {
        Region region = region(settings);
        S3Client client = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(MAX_CONNECTIONS)
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(60)))
                .region(region)
                .credentialsProvider(credentials)
                .applyMutation(b -> settings.endpoint().ifPresent(b::endpointOverride))
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
        S3Presigner.Builder presigner = S3Presigner.builder()
                .region(region)
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
        settings.endpoint().ifPresent(presigner::endpointOverride);
        return new S3Connection(settings, client, presigner.build());
    }

    private static Region region(S3Settings settings) {
        if (settings.region().isPresent()) {
            return Region.of(settings.region().get());
        }
        if (settings.endpoint().isPresent()) {
            return Region.US_EAST_1; // what MinIO, Ceph RGW and S3Proxy expect unless configured otherwise
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (SdkClientException e) {
            throw new ConfigException("binaryrepo not started: no region for S3 bucket '" + settings.bucket()
                    + "': set " + S3Settings.REGION + " (or AWS_REGION)");
        }
    }

    S3Client client() {
        return client;
    }

    S3Presigner presigner() {
        return presigner;
    }

    S3Settings settings() {
        return settings;
    }

    /**
     * Asks for the bucket (HeadBucket).
     *
     * @throws IOException whose message names the parameter to fix
     */
    void checkBucket() throws IOException {
        try {
            client.headBucket(b -> b.bucket(settings.bucket()));
        } catch (SdkException e) {
            throw new IOException(describe(e), e);
        }
    }

    /** A one-line explanation of a failed request to the bucket, naming the parameter or credentials to check. */
    String describe(SdkException e) {
        String bucket = "S3 bucket '" + settings.bucket() + "' (" + S3Settings.BUCKET + ") at " + settings.where();
        if (e instanceof S3Exception s3) {
            return switch (s3.statusCode()) {
                case 404 -> bucket + " does not exist";
                case 403 -> bucket + " refused the credentials of the AWS default provider chain (access denied)";
                case 301, 400 -> bucket + " answered " + s3.statusCode() + ": check " + S3Settings.REGION + " and "
                        + S3Settings.PATH_STYLE;
                default -> bucket + " answered " + s3.statusCode() + " " + firstLine(s3.getMessage());
            };
        }
        String msg = firstLine(e.getMessage());
        if (msg.contains("credentials")) {
            return bucket + ": no credentials from the AWS default provider chain (" + msg + ")";
        }
        return bucket + " is unreachable (" + settings.endpoint().map(x -> S3Settings.ENDPOINT)
                .orElse(S3Settings.REGION) + "): " + msg;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Override
    public void close() {
        presigner.close();
        client.close();
    }
}
