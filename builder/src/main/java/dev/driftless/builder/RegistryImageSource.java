package dev.driftless.builder;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.cloud.tools.jib.api.Credential;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an image by digest over the Registry HTTP API v2 (manifest, config blob, layer blobs), checking
 * every digest. Anonymous first; a 401 is answered as the registry's challenge asks (Basic with the configured
 * credentials, or a Bearer token from its token service, as GHCR, Harbor and ECR do), and the answer is kept
 * per repository for the following requests. Plain HTTP only when the registry is configured insecure.
 */
final class RegistryImageSource implements ImageSource {
    private static final String ACCEPT = OciJson.OCI_MANIFEST + ", " + OciJson.DOCKER_MANIFEST;
    private static final Pattern CHALLENGE_PARAMETER = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private final boolean insecure;
    private final RegistryCredentials credentials;
    /** Authorization header values by {@code host/repository}. */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    RegistryImageSource(boolean insecure, RegistryCredentials credentials) {
        this.insecure = insecure;
        this.credentials = credentials;
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
            layers.add(new RegistryLayer(d.digest(), d.mediaType(), blob, ref, this));
        }
        return OciJson.contents(ref, layers, config);
    }

    boolean exists(ImageRef ref) throws IOException, InterruptedException {
        HttpResponse<Void> response = send(ref, HttpRequest.newBuilder(url(ref, "manifests/" + ref.digest()))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", ACCEPT).timeout(Duration.ofSeconds(30)), HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status == 200) return true;
        if (status == 404) return false;
        throw new IOException(refusalOr(ref, status, "registry answered " + status + " for " + ref));
    }

    private byte[] get(URI uri, ImageRef ref) throws IOException {
        try {
            HttpResponse<byte[]> response = send(ref, HttpRequest.newBuilder(uri).header("Accept", ACCEPT)
                    .timeout(Duration.ofSeconds(60)).GET(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() == 404) {
                throw new IOException("image " + ref + " is not in the registry");
            }
            if (response.statusCode() != 200) {
                throw new IOException(refusalOr(ref, response.statusCode(),
                        "registry answered " + response.statusCode() + " for " + uri.getPath()));
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + ref, e);
        }
    }

    InputStream stream(URI uri, String digest, ImageRef ref) throws IOException {
        try {
            HttpResponse<InputStream> response = send(ref, HttpRequest.newBuilder(uri).GET(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException(refusalOr(ref, response.statusCode(),
                        "registry answered " + response.statusCode() + " for " + uri.getPath()));
            }
            return OciJson.verifying(response.body(), digest);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + uri.getPath(), e);
        }
    }

    /** Sends with what worked before for this repository; on a 401, answers the challenge once and sends again. */
    private <T> HttpResponse<T> send(ImageRef ref, HttpRequest.Builder request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        String key = ref.repository();
        String known = authorizations.get(key);
        if (known != null) {
            request.setHeader("Authorization", known);
        }
        HttpResponse<T> response = http.send(request.build(), body);
        if (response.statusCode() != 401) {
            return response;
        }
        Optional<String> challenge = response.headers().firstValue("WWW-Authenticate");
        discard(response);
        Optional<String> answer = challenge.flatMap(c -> answer(c, ref));
        if (answer.isEmpty()) {
            return response;
        }
        authorizations.put(key, answer.get());
        request.setHeader("Authorization", answer.get());
        return http.send(request.build(), body);
    }

    /** The Authorization value a challenge asks for, when we can give one. */
    private Optional<String> answer(String challenge, ImageRef ref) {
        Optional<Credential> credential = credentials.credentialFor(host(ref));
        String scheme = challenge.trim().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        if (scheme.equals("basic")) {
            return credential.map(RegistryImageSource::basic);
        }
        if (!scheme.equals("bearer")) {
            return Optional.empty();
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAMETER.matcher(challenge);
        while (m.find()) {
            parameters.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = parameters.get("realm");
        if (realm == null) {
            return Optional.empty();
        }
        String scope = parameters.getOrDefault("scope", "repository:" + path(ref) + ":pull");
        StringBuilder url = new StringBuilder(realm).append(realm.contains("?") ? "&" : "?")
                .append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        if (parameters.containsKey("service")) {
            url.append("&service=").append(URLEncoder.encode(parameters.get("service"), StandardCharsets.UTF_8));
        }
        HttpRequest.Builder tokenRequest = HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(30)).GET();
        credential.ifPresent(c -> tokenRequest.header("Authorization", basic(c)));
        try {
            HttpResponse<byte[]> token = http.send(tokenRequest.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (token.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode json = OciJson.MAPPER.readTree(token.body());
            String value = json.path("token").asText(json.path("access_token").asText(""));
            return value.isEmpty() ? Optional.empty() : Optional.of("Bearer " + value);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private String refusalOr(ImageRef ref, int status, String otherwise) {
        if (status != 401 && status != 403) {
            return otherwise;
        }
        return RegistryRefusal.message(host(ref), status, credentials.credentialFor(host(ref)).isPresent(),
                "for reading " + path(ref));
    }

    private static String basic(Credential credential) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (credential.getUsername() + ":" + credential.getPassword()).getBytes(StandardCharsets.UTF_8));
    }

    private static void discard(HttpResponse<?> response) throws IOException {
        if (response.body() instanceof InputStream in) {
            in.close();
        }
    }

    private static String host(ImageRef ref) {
        String repository = ref.repository();
        int slash = repository.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("image repository has no registry host: " + repository);
        }
        return repository.substring(0, slash);
    }

    private static String path(ImageRef ref) {
        return ref.repository().substring(ref.repository().indexOf('/') + 1);
    }

    private URI url(ImageRef ref, String tail) {
        return URI.create((insecure ? "http" : "https") + "://" + host(ref) + "/v2/" + path(ref) + "/" + tail);
    }

    private record RegistryLayer(String digest, String mediaType, URI uri, ImageRef ref, RegistryImageSource source)
            implements ImageContents.Layer {
        @Override
        public InputStream open() throws IOException {
            return source.stream(uri, digest, ref);
        }
    }
}
