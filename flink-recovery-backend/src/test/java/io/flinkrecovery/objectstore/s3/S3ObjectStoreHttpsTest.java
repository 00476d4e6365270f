package io.flinkrecovery.objectstore.s3;

import org.apache.flink.configuration.Configuration;

import io.flinkrecovery.objectstore.ObjectLocation;
import io.flinkrecovery.objectstore.ObjectOutputStream;
import io.flinkrecovery.objectstore.WriteMode;
import io.flinkrecovery.testing.EmbeddedS3Extension;
import io.flinkrecovery.testing.RecordedRequest;
import io.flinkrecovery.testing.SelfSignedTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.flinkrecovery.objectstore.s3.S3ObjectStoreTest.randomBytes;
import static io.flinkrecovery.objectstore.s3.S3ObjectStoreTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link S3ObjectStore} against an HTTPS endpoint whose self-signed certificate was generated for
 * this test: trusted through {@code recovery.s3.tls.truststore}, refused without it.
 */
class S3ObjectStoreHttpsTest {

    private static final int MB = 1024 * 1024;

    @RegisterExtension
    static final EmbeddedS3Extension S3 = new EmbeddedS3Extension("https-test").withHttps();

    private final List<S3ObjectStore> stores = new ArrayList<>();
    private String prefix;

    @BeforeEach
    void newPrefix() {
        prefix = "t-" + UUID.randomUUID() + "/";
    }

    @AfterEach
    void closeStores() {
        stores.forEach(S3ObjectStore::close);
    }

    /** The server's configuration, truststore included, with {@code overrides}; null removes. */
    private S3ObjectStore store(Map<String, String> overrides) {
        Map<String, String> entries = new HashMap<>(S3.flinkConfig());
        entries.put("recovery.s3.upload.part-size", "5mb");
        overrides.forEach(
                (key, value) -> {
                    if (value == null) {
                        entries.remove(key);
                    } else {
                        entries.put(key, value);
                    }
                });
        S3ObjectStore store =
                new S3ObjectStore(S3ClientSettings.fromConfig(Configuration.fromMap(entries)));
        stores.add(store);
        return store;
    }

    /**
     * Also one attempt per request: the SDK's standard strategy retries a failed TLS handshake like
     * any transport error, which takes about 20 s with the default 10 attempts.
     */
    private static Map<String, String> withoutTruststore() {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("recovery.s3.retry.max-attempts", "1");
        overrides.put("recovery.s3.tls.truststore", null);
        overrides.put("recovery.s3.tls.truststore-password", null);
        overrides.put("recovery.s3.tls.truststore-type", null);
        return overrides;
    }

    private ObjectLocation at(String name) {
        return ObjectLocation.of(S3.bucket(), prefix + name);
    }

    @Test
    void putGetAndMultipartUploadOverHttpsWithTheTruststore() throws IOException {
        assertThat(S3.endpoint()).startsWith("https://127.0.0.1:");
        S3ObjectStore store = store(Map.of());
        S3.requests().start();

        byte[] small = randomBytes(10_000, 1);
        store.put(at("small"), small);
        store.putIfAbsent(at("_metadata"), small);
        byte[] large = randomBytes(11 * MB, 2);
        try (ObjectOutputStream out = store.create(at("large"), WriteMode.CREATE_NEW)) {
            out.write(large);
        }

        assertThat(readAll(store.open(at("small")))).isEqualTo(small);
        assertThat(readAll(store.openRange(at("large"), 6 * MB, 100)))
                .isEqualTo(java.util.Arrays.copyOfRange(large, 6 * MB, 6 * MB + 100));
        assertThat(store.head(at("large"))).get().extracting(i -> i.size()).isEqualTo(11L * MB);
        List<RecordedRequest> requests = S3.requests().requests();
        assertThat(requests)
                .extracting(RecordedRequest::kind)
                .contains(
                        RecordedRequest.Kind.PUT_OBJECT,
                        RecordedRequest.Kind.CREATE_MULTIPART,
                        RecordedRequest.Kind.UPLOAD_PART,
                        RecordedRequest.Kind.COMPLETE_MULTIPART,
                        RecordedRequest.Kind.GET_OBJECT);
        assertThat(requests).allSatisfy(r -> assertThat(r.secure()).as(r.toString()).isTrue());
    }

    @Test
    void withoutTheTruststoreTheCertificateIsNotTrustedAndTheErrorSaysWhatToSet() {
        S3ObjectStore store = store(withoutTruststore());

        assertThatThrownBy(() -> store.put(at("x"), new byte[1]))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageStartingWith(
                        "Cannot write "
                                + at("x")
                                + ": the TLS certificate of "
                                + S3.endpoint()
                                + " is not trusted (")
                .hasMessageContaining("PKIX path building failed")
                .hasMessageEndingWith(
                        "Set recovery.s3.tls.truststore to a truststore that holds the server's"
                                + " certificate or the CA that signed it.");
        assertThatThrownBy(() -> store.head(at("x")))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith(
                        "Cannot read metadata of "
                                + at("x")
                                + ": the TLS certificate of "
                                + S3.endpoint()
                                + " is not trusted");
    }

    @Test
    void truststoreOfAnotherCertificateIsRefusedNamingIt(@TempDir Path dir) {
        SelfSignedTls other = SelfSignedTls.generate(dir);
        Map<String, String> overrides = new HashMap<>(other.flinkConfig());
        overrides.put("recovery.s3.retry.max-attempts", "1");
        S3ObjectStore store = store(overrides);

        assertThatThrownBy(() -> readAll(store.open(at("x"))))
                .isInstanceOf(SSLHandshakeException.class)
                .hasMessageStartingWith(
                        "Cannot read "
                                + at("x")
                                + ": the TLS certificate of "
                                + S3.endpoint()
                                + " is not trusted by recovery.s3.tls.truststore "
                                + other.truststorePath()
                                + " (")
                .hasMessageEndingWith(
                        "Add the server's certificate or the CA that signed it to that"
                                + " truststore.")
                .hasMessageNotContaining(other.truststorePassword());
    }
}
