package dev.driftless.builder;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.TarImage;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The embedded default: images kept in a folder that is an OCI image layout ({@code oci-layout},
 * {@code index.json}, {@code blobs/sha256/<hex>}), so {@code skopeo}/{@code umoci} can read it too.
 * Jib writes each image as an OCI tar; its blobs are moved into the shared, content-addressed
 * {@code blobs/} (each verified against its name, identical layers stored once), and the manifest is
 * listed in {@code index.json} under {@code <owner>/<repo>/<function>:<sha7>}.
 */
final class LocalImageStore implements ImageTarget {
    static final String REGISTRY = "local";
    private static final Pattern BLOB = Pattern.compile("blobs/sha256/([0-9a-f]{64})");
    private static final Object INDEX_LOCK = new Object();

    private final Path folder;

    LocalImageStore(Path folder) {
        this.folder = folder;
    }

    @Override
    public String repository(String owner, String repo, String function) {
        return REGISTRY + "/" + ImageTarget.segment(owner) + "/" + ImageTarget.segment(repo) + "/" + ImageTarget.segment(function);
    }

    @Override
    public ImageRef containerize(JibContainerBuilder container, String repository, String tag, JibSettings jib, Consumer<String> log)
            throws IOException, InterruptedException {
        Path staging = Files.createDirectories(folder.resolve("tmp"));
        Path tar = staging.resolve(UUID.randomUUID() + ".tar");
        try {
            Containerizer to = Containerizer.to(TarImage.at(tar).named(repository + ":" + tag)).setAllowInsecureRegistries(jib.insecureBase());
            JibContainer written = container.containerize(JibLog.configure(to, jib, log));
            String digest = written.getDigest().toString();
            ImageRef ref = new ImageRef(repository, digest);
            // Under the index lock: a removal's sweep never sees blobs imported but not yet listed.
            underIndexLock(() -> {
                importBlobs(tar);
                if (!Files.isRegularFile(blob(digest))) {
                    throw new IOException("the image tar did not contain its manifest " + digest);
                }
                index(ref, tag);
            });
            return ref;
        } catch (InvalidImageReferenceException e) {
            throw new IOException("not a valid image name: " + repository + ":" + tag, e);
        } catch (RegistryException | CacheDirectoryCreationException e) {
            throw new IOException("image build failed: " + e.getMessage(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("image build failed: " + cause.getMessage(), cause);
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    @Override
    public boolean exists(ImageRef ref) throws IOException {
        if (!ref.repository().startsWith(REGISTRY + "/") || !Files.isRegularFile(blob(ref.digest()))) {
            return false;
        }
        OciJson.Manifest m = OciJson.manifest(Files.readAllBytes(blob(ref.digest())));
        if (!Files.isRegularFile(blob(m.config().digest()))) {
            return false;
        }
        for (OciJson.Descriptor d : m.layers()) {
            if (!Files.isRegularFile(blob(d.digest()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public ImageContents read(ImageRef ref) throws IOException {
        Path manifestFile = blob(ref.digest());
        if (!ref.repository().startsWith(REGISTRY + "/") || !Files.isRegularFile(manifestFile)) {
            throw new IOException("image " + ref + " is not in the local image store");
        }
        byte[] manifestJson = Files.readAllBytes(manifestFile);
        OciJson.verify(ref.digest(), manifestJson, "manifest of " + ref);
        OciJson.Manifest manifest = OciJson.manifest(manifestJson);
        byte[] config = Files.readAllBytes(blob(manifest.config().digest()));
        OciJson.verify(manifest.config().digest(), config, "config of " + ref);
        List<ImageContents.Layer> layers = new ArrayList<>();
        for (OciJson.Descriptor d : manifest.layers()) {
            Path file = blob(d.digest());
            if (!Files.isRegularFile(file)) {
                throw new IOException("layer " + d.digest() + " of " + ref + " is missing from the local image store");
            }
            layers.add(new StoredLayer(d.digest(), d.mediaType(), file));
        }
        return OciJson.contents(ref, layers, config);
    }

    Path blob(String digest) {
        if (!digest.matches("sha256:[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return folder.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
    }

    /** Moves every blob of the tar into {@code blobs/}, checking it hashes to its name; existing blobs are kept. */
    private void importBlobs(Path tar) throws IOException {
        Path blobs = Files.createDirectories(folder.resolve("blobs/sha256"));
        try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream entries = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = entries.getNextEntry()) != null) {
                var m = BLOB.matcher(entry.getName().replaceFirst("^\\./", ""));
                if (!entry.isFile() || !m.matches()) {
                    continue;
                }
                Path target = blobs.resolve(m.group(1));
                if (Files.exists(target)) {
                    continue; // content-addressed: same name, same bytes
                }
                Path tmp = Files.createTempFile(folder.resolve("tmp"), "blob", ".part");
                MessageDigest md = OciJson.digester();
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), md)) {
                    entries.transferTo(out);
                }
                String actual = HexFormat.of().formatHex(md.digest());
                if (!actual.equals(m.group(1))) {
                    Files.deleteIfExists(tmp);
                    throw new IOException("blob " + m.group(1) + " in the image tar hashes to " + actual);
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Adds the manifest to {@code index.json} (once per name and digest); call under the index lock. */
    private void index(ImageRef ref, String tag) throws IOException {
        Files.writeString(folder.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        String name = ref.repository().substring(REGISTRY.length() + 1) + ":" + tag;
        long size = Files.size(blob(ref.digest()));
        ObjectNode index = readIndex();
        ArrayNode manifests = index.has("manifests") ? (ArrayNode) index.get("manifests") : index.putArray("manifests");
        for (var existing : manifests) {
            if (existing.path("digest").asText().equals(ref.digest())
                    && existing.path("annotations").path("org.opencontainers.image.ref.name").asText().equals(name)) {
                return;
            }
        }
        ObjectNode d = manifests.addObject();
        d.put("mediaType", OciJson.OCI_MANIFEST).put("digest", ref.digest()).put("size", size);
        d.putObject("annotations").put("org.opencontainers.image.ref.name", name);
        writeIndex(index);
    }

    /**
     * Removes the images {@code digests} (every name they are listed under) except those in {@code keep}, and the
     * blobs only they used; blobs another listed image uses (shared base layers) stay. Returns how many images went.
     */
    int remove(Set<String> digests, Set<String> keep) throws IOException {
        int[] removed = {0};
        underIndexLock(() -> {
            ObjectNode index = readIndex();
            if (!index.has("manifests")) {
                return;
            }
            ArrayNode manifests = (ArrayNode) index.get("manifests");
            Set<String> gone = new HashSet<>();
            for (int i = manifests.size() - 1; i >= 0; i--) {
                String digest = manifests.get(i).path("digest").asText();
                if (digests.contains(digest) && !keep.contains(digest)) {
                    manifests.remove(i);
                    gone.add(digest);
                }
            }
            if (gone.isEmpty()) {
                return;
            }
            Set<String> used = new HashSet<>();
            for (var entry : manifests) {
                used.addAll(blobsOf(entry.path("digest").asText()));
            }
            writeIndex(index); // listed no more before any blob goes: a crash in between leaves only unused blobs
            for (String digest : gone) {
                for (String blobDigest : blobsOf(digest)) {
                    if (!used.contains(blobDigest)) {
                        Files.deleteIfExists(blob(blobDigest));
                    }
                }
                removed[0]++;
            }
        });
        return removed[0];
    }

    /** The manifest, config and layer blobs of an image (those of its blobs still there). */
    private Set<String> blobsOf(String manifestDigest) throws IOException {
        Set<String> blobs = new HashSet<>();
        Path manifest = blob(manifestDigest);
        if (!Files.isRegularFile(manifest)) {
            return blobs;
        }
        blobs.add(manifestDigest);
        OciJson.Manifest m = OciJson.manifest(Files.readAllBytes(manifest));
        blobs.add(m.config().digest());
        for (OciJson.Descriptor d : m.layers()) {
            blobs.add(d.digest());
        }
        return blobs;
    }

    private interface IndexWork {
        void run() throws IOException;
    }

    /** One writer of {@code index.json} and {@code blobs/} at a time, in this process and across processes. */
    private void underIndexLock(IndexWork work) throws IOException {
        Files.createDirectories(folder.resolve("tmp"));
        synchronized (INDEX_LOCK) {
            try (FileChannel lockFile = FileChannel.open(folder.resolve("index.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                work.run();
            }
        }
    }

    private ObjectNode readIndex() throws IOException {
        Path indexFile = folder.resolve("index.json");
        return Files.exists(indexFile)
                ? (ObjectNode) OciJson.MAPPER.readTree(indexFile.toFile())
                : OciJson.MAPPER.createObjectNode().put("schemaVersion", 2);
    }

    private void writeIndex(ObjectNode index) throws IOException {
        Path tmp = Files.createTempFile(folder.resolve("tmp"), "index", ".json");
        Files.writeString(tmp, OciJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(index), StandardCharsets.UTF_8);
        Files.move(tmp, folder.resolve("index.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private record StoredLayer(String digest, String mediaType, Path file) implements ImageContents.Layer {
        @Override
        public InputStream open() throws IOException {
            return OciJson.verifying(Files.newInputStream(file), digest);
        }
    }
}
