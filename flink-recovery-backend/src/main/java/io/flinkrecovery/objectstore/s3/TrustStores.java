package io.flinkrecovery.objectstore.s3;

import org.apache.flink.configuration.IllegalConfigurationException;

import io.flinkrecovery.config.S3Options;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Collections;

/**
 * Loads {@code recovery.s3.tls.truststore}. Every failure is one {@link
 * IllegalConfigurationException} that names the key and the path, and never the password.
 */
final class TrustStores {

    private TrustStores() {}

    /** The trust managers of the truststore that {@code settings} names. */
    static TrustManager[] trustManagers(S3ClientSettings settings) {
        KeyStore truststore =
                load(
                        settings.truststorePath(),
                        settings.truststoreType(),
                        settings.truststorePassword());
        try {
            TrustManagerFactory factory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(truststore);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException e) {
            throw new IllegalConfigurationException(
                    "Invalid "
                            + S3Options.TLS_TRUSTSTORE.key()
                            + ": "
                            + settings.truststorePath()
                            + " (cannot trust its certificates: "
                            + e.getMessage()
                            + ")",
                    e);
        }
    }

    /** Reads and checks the truststore file; {@code password} may be null. */
    static KeyStore load(String path, String type, String password) {
        String key = S3Options.TLS_TRUSTSTORE.key();
        Path file = Paths.get(path);
        if (!Files.exists(file)) {
            throw invalid(key, path, "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw invalid(key, path, "not a file");
        }
        KeyStore truststore;
        try {
            truststore = KeyStore.getInstance(type);
        } catch (KeyStoreException e) {
            throw new IllegalConfigurationException(
                    "Invalid "
                            + S3Options.TLS_TRUSTSTORE_TYPE.key()
                            + ": "
                            + type
                            + " (this JVM knows no such KeyStore type; use PKCS12 or JKS)",
                    e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            truststore.load(in, password == null ? null : password.toCharArray());
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalConfigurationException(
                        "Invalid "
                                + S3Options.TLS_TRUSTSTORE_PASSWORD.key()
                                + " for "
                                + key
                                + " "
                                + path
                                + ": the password is wrong",
                        e);
            }
            throw new IllegalConfigurationException(
                    "Invalid "
                            + key
                            + ": "
                            + path
                            + " (cannot read it as a "
                            + type
                            + " truststore: "
                            + e.getMessage()
                            + "; see "
                            + S3Options.TLS_TRUSTSTORE_TYPE.key()
                            + ")",
                    e);
        } catch (GeneralSecurityException e) {
            throw invalid(key, path, "cannot read its certificates: " + e.getMessage());
        }
        if (!holdsCertificates(truststore)) {
            throw invalid(
                    key,
                    path,
                    password == null
                            ? "no certificate can be read without a password: set "
                                    + S3Options.TLS_TRUSTSTORE_PASSWORD.key()
                            : "it holds no certificate");
        }
        return truststore;
    }

    private static boolean holdsCertificates(KeyStore truststore) {
        try {
            for (String alias : Collections.list(truststore.aliases())) {
                if (truststore.getCertificate(alias) != null) {
                    return true;
                }
            }
            return false;
        } catch (KeyStoreException e) {
            return false;
        }
    }

    private static IllegalConfigurationException invalid(String key, String path, String reason) {
        return new IllegalConfigurationException(
                "Invalid " + key + ": " + path + " (" + reason + ")");
    }
}
