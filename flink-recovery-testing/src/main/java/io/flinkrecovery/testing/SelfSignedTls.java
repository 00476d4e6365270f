package io.flinkrecovery.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A self-signed certificate for {@code 127.0.0.1}, generated at test time, for an {@link
 * EmbeddedS3Server} that serves HTTPS. The server gets its key in memory; clients get a PKCS12
 * truststore file that trusts exactly this certificate. Nothing is shared between two instances, so
 * a client that trusts one refuses the other.
 */
public final class SelfSignedTls {

    /** The type of {@link #truststorePath()}. */
    public static final String TRUSTSTORE_TYPE = "PKCS12";

    /** The client-side options of flink-recovery that name a truststore (see {@code S3Options}). */
    public static final String TRUSTSTORE_KEY = "recovery.s3.tls.truststore";

    public static final String TRUSTSTORE_PASSWORD_KEY = "recovery.s3.tls.truststore-password";
    public static final String TRUSTSTORE_TYPE_KEY = "recovery.s3.tls.truststore-type";

    private static final String ALIAS = "embedded-s3";
    private static final Duration VALIDITY = Duration.ofDays(2);

    private final X509Certificate certificate;
    private final SSLContext serverContext;
    private final Path truststorePath;
    private final String truststorePassword;

    private SelfSignedTls(
            X509Certificate certificate,
            SSLContext serverContext,
            Path truststorePath,
            String truststorePassword) {
        this.certificate = certificate;
        this.serverContext = serverContext;
        this.truststorePath = truststorePath;
        this.truststorePassword = truststorePassword;
    }

    /**
     * Generates an EC key pair and a certificate for IP address 127.0.0.1 and host name localhost,
     * valid from an hour ago for two days, and writes {@code truststore.p12} into {@code dir},
     * which is created if needed.
     */
    public static SelfSignedTls generate(Path dir) {
        try {
            Files.createDirectories(dir);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KeyPair keyPair = generator.generateKeyPair();
            X509Certificate certificate = selfSign(keyPair);

            char[] keyPassword = UUID.randomUUID().toString().toCharArray();
            KeyStore keyStore = KeyStore.getInstance(TRUSTSTORE_TYPE);
            keyStore.load(null, null);
            keyStore.setKeyEntry(
                    ALIAS, keyPair.getPrivate(), keyPassword, new Certificate[] {certificate});
            KeyManagerFactory keyManagers =
                    KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keyStore, keyPassword);
            SSLContext serverContext = SSLContext.getInstance("TLS");
            serverContext.init(keyManagers.getKeyManagers(), null, null);

            String truststorePassword = "trust-" + UUID.randomUUID();
            Path truststorePath = dir.resolve("truststore.p12").toAbsolutePath();
            writeTruststore(certificate, truststorePath, truststorePassword);
            return new SelfSignedTls(
                    certificate, serverContext, truststorePath, truststorePassword);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write a test truststore into " + dir, e);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("Cannot generate a self-signed certificate", e);
        }
    }

    private static X509Certificate selfSign(KeyPair keyPair)
            throws OperatorCreationException, GeneralSecurityException, IOException {
        // A name of its own: a truststore holding another instance's certificate must not even
        // find an issuer of this one.
        X500Name name =
                new X500Name(
                        "CN=flink-recovery embedded S3 (test only) "
                                + UUID.randomUUID().toString().substring(0, 8));
        Instant now = Instant.now();
        X509v3CertificateBuilder builder =
                new JcaX509v3CertificateBuilder(
                        name,
                        new BigInteger(64, new SecureRandom()),
                        Date.from(now.minus(Duration.ofHours(1))),
                        Date.from(now.plus(VALIDITY)),
                        name,
                        keyPair.getPublic());
        builder.addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(
                        new GeneralName[] {
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                            new GeneralName(GeneralName.dNSName, "localhost")
                        }));
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(
                                new JcaContentSignerBuilder("SHA256withECDSA")
                                        .build(keyPair.getPrivate())));
    }

    private static void writeTruststore(X509Certificate certificate, Path path, String password)
            throws IOException, GeneralSecurityException {
        KeyStore truststore = KeyStore.getInstance(TRUSTSTORE_TYPE);
        truststore.load(null, null);
        truststore.setCertificateEntry(ALIAS, certificate);
        try (OutputStream out = Files.newOutputStream(path)) {
            truststore.store(out, password.toCharArray());
        }
    }

    /** The server's certificate, which is also the only entry of the truststore. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** A PKCS12 file that trusts {@link #certificate()} and nothing else. */
    public Path truststorePath() {
        return truststorePath;
    }

    public String truststorePassword() {
        return truststorePassword;
    }

    /**
     * The flink-recovery options that make our S3 client trust this certificate, in a fixed order.
     */
    public Map<String, String> flinkConfig() {
        Map<String, String> config = new LinkedHashMap<>();
        config.put(TRUSTSTORE_KEY, truststorePath.toString());
        config.put(TRUSTSTORE_PASSWORD_KEY, truststorePassword);
        config.put(TRUSTSTORE_TYPE_KEY, TRUSTSTORE_TYPE);
        return config;
    }

    /** The server side: a TLS context that presents {@link #certificate()}. */
    SSLContext serverContext() {
        return serverContext;
    }

    @Override
    public String toString() {
        return "SelfSignedTls{"
                + certificate.getSubjectX500Principal()
                + ", "
                + truststorePath
                + "}";
    }
}
