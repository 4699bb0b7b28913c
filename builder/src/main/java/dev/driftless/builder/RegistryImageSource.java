package dev.driftless.builder;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an image by digest over the Registry HTTP API v2 (manifest, config blob, layer blobs), checking
 * every digest. Anonymous access; plain HTTP only when the registry is configured insecure.
 */
final class RegistryImageSource implements ImageSource {
    private static final String ACCEPT = OciJson.OCI_MANIFEST + ", " + OciJson.DOCKER_MANIFEST;
    private final boolean insecure;
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    RegistryImageSource(boolean insecure) {
        this.insecure = insecure;
    }

    @Override
    public ImageContents read(ImageRef ref) throws IOException {
        byte[] manifestJson = get(url(ref, "manifests/" + ref.digest()), ref);
        OciJson.verify(ref.digest(), manifestJson, "manifest of " + ref);
        OciJson.Manifest manifest = OciJson.manifest(manifestJson);
        byte[] config = get(url(ref, "blobs/" + manifest.config().digest()), ref);
        OciJson.verify(manifest.config().digest(), config, "config of " + ref);
        List<ImageContents.Layer> layers = new ArrayList<>();
        for (OciJson.Descriptor d : manifest.layers()) {
            URI blob = url(ref, "blobs/" + d.digest());
            layers.add(new RegistryLayer(d.digest(), d.mediaType(), blob, this));
        }
        return OciJson.contents(ref, layers, config);
    }

    boolean exists(ImageRef ref) throws IOException, InterruptedException {
        HttpRequest head = HttpRequest.newBuilder(url(ref, "manifests/" + ref.digest()))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", ACCEPT).timeout(Duration.ofSeconds(30)).build();
        int status = http.send(head, HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 200) return true;
        if (status == 404) return false;
        throw new IOException("registry answered " + status + " for " + ref);
    }

    private byte[] get(URI uri, ImageRef ref) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).header("Accept", ACCEPT).timeout(Duration.ofSeconds(60)).GET().build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 404) {
                throw new IOException("image " + ref + " is not in the registry");
            }
            if (response.statusCode() != 200) {
                throw new IOException("registry answered " + response.statusCode() + " for " + uri.getPath());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + ref, e);
        }
    }

    InputStream stream(URI uri, String digest) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("registry answered " + response.statusCode() + " for " + uri.getPath());
            }
            return OciJson.verifying(response.body(), digest);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + uri.getPath(), e);
        }
    }

    private URI url(ImageRef ref, String tail) {
        String repository = ref.repository();
        int slash = repository.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("image repository has no registry host: " + repository);
        }
        String host = repository.substring(0, slash);
        String path = repository.substring(slash + 1);
        return URI.create((insecure ? "http" : "https") + "://" + host + "/v2/" + path + "/" + tail);
    }

    private record RegistryLayer(String digest, String mediaType, URI uri, RegistryImageSource source) implements ImageContents.Layer {
        @Override
        public InputStream open() throws IOException {
            return source.stream(uri, digest);
        }
    }
}
