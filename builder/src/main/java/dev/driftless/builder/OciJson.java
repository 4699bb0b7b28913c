package dev.driftless.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The parts of OCI/Docker manifests and image configs that a runtime needs, read the same way for both targets. */
final class OciJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    private OciJson() { }

    record Descriptor(String mediaType, String digest, long size) { }

    record Manifest(Descriptor config, List<Descriptor> layers) { }

    static Manifest manifest(byte[] json) throws IOException {
        JsonNode root = MAPPER.readTree(json);
        if (!root.has("config") || !root.has("layers")) {
            throw new IOException("not a single-image manifest (mediaType " + root.path("mediaType").asText("?") + ")");
        }
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : root.get("layers")) {
            layers.add(descriptor(l));
        }
        return new Manifest(descriptor(root.get("config")), layers);
    }

    private static Descriptor descriptor(JsonNode node) {
        return new Descriptor(node.path("mediaType").asText(), node.path("digest").asText(), node.path("size").asLong());
    }

    /** What a runtime needs from the image config. */
    static ImageContents contents(ImageRef ref, List<ImageContents.Layer> layers, byte[] configJson) throws IOException {
        JsonNode config = MAPPER.readTree(configJson).path("config");
        List<String> command = new ArrayList<>();
        config.path("Entrypoint").forEach(n -> command.add(n.asText()));
        config.path("Cmd").forEach(n -> command.add(n.asText()));
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode e : config.path("Env")) {
            String kv = e.asText();
            int eq = kv.indexOf('=');
            env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
        }
        Map<String, String> labels = new LinkedHashMap<>();
        config.path("Labels").fields().forEachRemaining(f -> labels.put(f.getKey(), f.getValue().asText()));
        return new ImageContents(ref, List.copyOf(layers), List.copyOf(command), Map.copyOf(env),
                config.path("User").asText(""), config.path("WorkingDir").asText(""), Map.copyOf(labels));
    }

    static String sha256(byte[] bytes) {
        return "sha256:" + HexFormat.of().formatHex(digester().digest(bytes));
    }

    static MessageDigest digester() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void verify(String expected, byte[] bytes, String what) throws IOException {
        String actual = sha256(bytes);
        if (!actual.equals(expected)) {
            throw new IOException(what + " has digest " + actual + ", expected " + expected);
        }
    }

    /** A stream that fails at its end when the bytes do not hash to the expected digest. */
    static InputStream verifying(InputStream in, String expected) {
        MessageDigest md = digester();
        return new FilterInputStream(in) {
            private boolean checked;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b < 0) check(); else md.update((byte) b);
                return b;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                int n = super.read(buf, off, len);
                if (n < 0) check(); else md.update(buf, off, n);
                return n;
            }

            private void check() throws IOException {
                if (checked) return;
                checked = true;
                String actual = "sha256:" + HexFormat.of().formatHex(md.digest());
                if (!actual.equals(expected)) {
                    throw new IOException("layer has digest " + actual + ", expected " + expected);
                }
            }
        };
    }
}
