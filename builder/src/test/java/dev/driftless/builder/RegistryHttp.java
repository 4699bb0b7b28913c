package dev.driftless.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The test's own view of the registry, over its HTTP API v2, independent of the builder's reader. */
final class RegistryHttp {
    private final String hostPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    RegistryHttp(String hostPort) {
        this.hostPort = hostPort;
    }

    HttpResponse<byte[]> get(String repositoryPath, String kind, String reference) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPort + "/v2/" + repositoryPath + "/" + kind + "/" + reference))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The manifest by digest, checked to hash to that digest. */
    JsonNode manifest(ImageRef ref) throws Exception {
        HttpResponse<byte[]> response = get(path(ref), "manifests", ref.digest());
        if (response.statusCode() != 200) {
            throw new AssertionError("manifest " + ref + ": HTTP " + response.statusCode());
        }
        if (!sha256(response.body()).equals(ref.digest())) {
            throw new AssertionError("manifest body does not hash to " + ref.digest());
        }
        return json.readTree(response.body());
    }

    JsonNode blobJson(ImageRef ref, String digest) throws Exception {
        HttpResponse<byte[]> response = get(path(ref), "blobs", digest);
        if (response.statusCode() != 200 || !sha256(response.body()).equals(digest)) {
            throw new AssertionError("blob " + digest + ": HTTP " + response.statusCode());
        }
        return json.readTree(response.body());
    }

    /** The digest a tag points at ({@code Docker-Content-Digest}). */
    String tagDigest(ImageRef ref, String tag) throws Exception {
        return get(path(ref), "manifests", tag).headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    static String path(ImageRef ref) {
        return ref.repository().substring(ref.repository().indexOf('/') + 1);
    }

    static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
