package dev.driftless.gateway;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The gateway's own certificate authority for the embedded default: a CA and a wildcard server
 * certificate for {@code <domain>}, {@code *.<domain>}, {@code localhost} and {@code 127.0.0.1}, made with
 * Bouncy Castle (EC P-256) and kept in one folder:
 * {@code ca.pem}, {@code ca-key.pem}, {@code server.pem} (leaf then CA), {@code server-key.pem}.
 * Keys are written 0600. Users trust {@code ca.pem} (e.g. {@code curl --cacert tls/ca.pem}).
 *
 * <p>Every method blocks (key generation, file IO): call it before the server starts or from a worker.
 */
public final class LocalCertificateAuthority {
    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
    public static final String SERVER_CERT = "server.pem";
    public static final String SERVER_KEY = "server-key.pem";
    /** Owner hostnames the server certificate names explicitly (single-label domains only), one a line. */
    public static final String EXTRA_HOSTS = "owner-hosts.txt";

    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration SERVER_VALIDITY = Duration.ofDays(365);
    // Renew a little before the end so a running gateway never serves an expired certificate.
    private static final Duration RENEW_BEFORE = Duration.ofDays(7);

    private final Path folder;
    private final String domain;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    private LocalCertificateAuthority(Path folder, String domain, Clock clock) {
        this.folder = folder;
        this.domain = domain.toLowerCase(Locale.ROOT);
        this.clock = clock;
    }

    public static LocalCertificateAuthority in(Path folder, String domain) {
        return in(folder, domain, Clock.systemUTC());
    }

    public static LocalCertificateAuthority in(Path folder, String domain, Clock clock) {
        return new LocalCertificateAuthority(folder, domain, clock);
    }

    public Path caCertificate() {
        return folder.resolve(CA_CERT);
    }

    public Path serverCertificate() {
        return folder.resolve(SERVER_CERT);
    }

    public Path serverKey() {
        return folder.resolve(SERVER_KEY);
    }

    /**
     * Makes sure a valid CA and server certificate exist: creates the CA when missing or expiring,
     * and the server certificate when missing, expiring, not issued by this CA or not for this domain.
     * Returns true when it wrote anything.
     */
    public boolean ensure() {
        try {
            Files.createDirectories(folder);
            boolean changed = false;
            if (!caUsable()) {
                writeCa();
                changed = true;
            }
            if (changed || !serverUsable()) {
                issueServerCertificate();
                changed = true;
            }
            return changed;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare TLS files in " + folder, e);
        }
    }

    /**
     * Adds explicit names for owner subdomains ({@code alice.localhost}) when the domain has a single label:
     * curl, OpenSSL and browsers refuse a wildcard right under a one-label name, so {@code *.localhost}
     * alone does not cover {@code alice.localhost}. Reissues the server certificate when a name is new
     * (the gateway reloads it). Returns true when it did. Blocking: file I/O, key generation.
     */
    public synchronized boolean coverOwnerHost(String owner) {
        if (domain.contains(".") || !FunctionAddress.isLabel(owner)) {
            return false;
        }
        String host = owner + "." + domain;
        Set<String> hosts = new java.util.TreeSet<>(extraHosts());
        if (!hosts.add(host)) {
            return false;
        }
        try {
            writeAtomically(folder.resolve(EXTRA_HOSTS), String.join("\n", hosts) + "\n", false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record " + host + " in " + folder, e);
        }
        issueServerCertificate();
        return true;
    }

    private List<String> extraHosts() {
        Path file = folder.resolve(EXTRA_HOSTS);
        try {
            return Files.isRegularFile(file)
                    ? Files.readAllLines(file).stream().map(String::strip).filter(FunctionAddressHost::valid).toList()
                    : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The names {@link #coverOwnerHost} accepts: {@code <label>.<domain>}. */
    private static final class FunctionAddressHost {
        static boolean valid(String host) {
            int dot = host.indexOf('.');
            return dot > 0 && FunctionAddress.isLabel(host.substring(0, dot)) && FunctionAddress.isLabel(host.substring(dot + 1));
        }
    }

    /** Issues a fresh server certificate (new key, new serial) from the existing CA, replacing the files. */
    public X509Certificate issueServerCertificate() {
        try {
            X509Certificate ca = readCertificate(caCertificate());
            PrivateKey caKey = readKey(folder.resolve(CA_KEY));
            KeyPair pair = newKeyPair();
            Instant now = clock.instant();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    ca, serial(), Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(SERVER_VALIDITY)),
                    new X500Name("CN=" + domain), pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            List<GeneralName> names = new ArrayList<>(List.of(
                    new GeneralName(GeneralName.dNSName, domain),
                    new GeneralName(GeneralName.dNSName, "*." + domain),
                    new GeneralName(GeneralName.dNSName, "localhost"),
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
            for (String host : extraHosts()) {
                names.add(new GeneralName(GeneralName.dNSName, host));
            }
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(names.toArray(GeneralName[]::new)));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            builder.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca));
            X509Certificate leaf = sign(builder, caKey);
            // Key first, then chain: a reloader that sees the new chain always finds its key already there.
            writeAtomically(serverKey(), pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()), true);
            writeAtomically(serverCertificate(), pem(leaf) + pem(ca), false);
            return leaf;
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot issue the gateway's server certificate", e);
        }
    }

    private void writeCa() throws IOException {
        try {
            KeyPair pair = newKeyPair();
            Instant now = clock.instant();
            X500Name name = new X500Name("CN=Driftless local CA " + domain + ",O=Driftless");
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    name, serial(), Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(CA_VALIDITY)),
                    name, pair.getPublic());
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            X509Certificate ca = sign(builder, pair.getPrivate());
            writeAtomically(folder.resolve(CA_KEY), pem(new JcaPKCS8Generator(pair.getPrivate(), null).generate()), true);
            writeAtomically(caCertificate(), pem(ca), false);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create the gateway's local CA", e);
        }
    }

    private boolean caUsable() {
        if (!Files.isRegularFile(caCertificate()) || !Files.isRegularFile(folder.resolve(CA_KEY))) {
            return false;
        }
        try {
            X509Certificate ca = readCertificate(caCertificate());
            readKey(folder.resolve(CA_KEY));
            return fresh(ca);
        } catch (RuntimeException | IOException | GeneralSecurityException e) {
            return false;
        }
    }

    private boolean serverUsable() {
        if (!Files.isRegularFile(serverCertificate()) || !Files.isRegularFile(serverKey())) {
            return false;
        }
        try {
            X509Certificate leaf = readCertificate(serverCertificate());
            X509Certificate ca = readCertificate(caCertificate());
            readKey(serverKey());
            leaf.verify(ca.getPublicKey());
            return fresh(leaf) && dnsNames(leaf).containsAll(Set.of(domain, "*." + domain));
        } catch (RuntimeException | IOException | GeneralSecurityException e) {
            return false;
        }
    }

    private boolean fresh(X509Certificate certificate) {
        return certificate.getNotAfter().toInstant().isAfter(clock.instant().plus(RENEW_BEFORE));
    }

    static Set<String> dnsNames(X509Certificate certificate) throws GeneralSecurityException {
        Set<String> names = new HashSet<>();
        if (certificate.getSubjectAlternativeNames() != null) {
            for (var entry : certificate.getSubjectAlternativeNames()) {
                if (Integer.valueOf(GeneralName.dNSName).equals(entry.get(0))) {
                    names.add(((String) entry.get(1)).toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    private KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        return generator.generateKeyPair();
    }

    private BigInteger serial() {
        return new BigInteger(127, random).add(BigInteger.ONE);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws OperatorCreationException, GeneralSecurityException {
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        X509CertificateHolder holder = builder.build(signer);
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    static X509Certificate readCertificate(Path file) throws IOException, GeneralSecurityException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            Object first = parser.readObject();
            if (!(first instanceof X509CertificateHolder holder)) {
                throw new GeneralSecurityException("no certificate in " + file.getFileName());
            }
            return new JcaX509CertificateConverter().getCertificate(holder);
        }
    }

    static PrivateKey readKey(Path file) throws IOException, GeneralSecurityException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            Object object = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            throw new GeneralSecurityException("no private key in " + file.getFileName());
        }
    }

    /** Throws unless {@code key} is the private half of {@code certificate}'s public key. */
    static void checkPair(X509Certificate certificate, PrivateKey key) throws GeneralSecurityException {
        String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] probe = "driftless".getBytes(StandardCharsets.US_ASCII);
        java.security.Signature signer = java.security.Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        java.security.Signature verifier = java.security.Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the private key does not belong to the certificate");
        }
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    /** Writes beside the target and renames, so a reader never sees half a file. */
    private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
            }
            Files.writeString(temp, content, StandardCharsets.US_ASCII);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
