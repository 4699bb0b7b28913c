package dev.driftless.builder;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import dev.driftless.testsupport.RealComponent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry that asks for a password ({@code docker-registry} with htpasswd, started by {@code scripts/test.sh}):
 * the builder reads its base image from it and pushes to it with the configured credentials, from a user and
 * password or from a Docker {@code config.json}; a wrong password is a failed build that names the registry.
 */
class RegistryAuthBuildTest {
    @TempDir
    Path tmp;
    String registry;
    String user;
    String password;
    GitRepo repo;
    String commit;

    @BeforeEach
    void setUp() throws Exception {
        String component = RealComponent.AUTH_REGISTRY.require();
        int at = component.lastIndexOf('@');
        registry = component.substring(at + 1);
        user = component.substring(0, component.indexOf(':'));
        password = component.substring(component.indexOf(':') + 1, at);
        repo = GitRepo.init(tmp.resolve("src"));
        commit = repo.write("stack.yml", "version: 1.0\nfunctions:\n  hello:\n    lang: python3\n    handler: ./hello\n")
                .write("hello/handler.txt", "hi\n").write("hello/deps.txt", "d\n").commit("one");
    }

    /** A base image in the password registry, pushed with the password (anonymous pulls are refused). */
    private String pushBase() throws Exception {
        Path marker = Files.writeString(tmp.resolve("marker"), "private base\n");
        String reference = registry + "/mirror/python:3.11-slim";
        System.setProperty("sendCredentialsOverHttp", "true"); // the test registry is plain HTTP on loopback
        Jib.fromScratch()
                .addFileEntriesLayer(FileEntriesLayer.builder().addEntry(marker, AbsoluteUnixPath.get("/etc/private-base")).build())
                .containerize(Containerizer.to(RegistryImage.named(reference).addCredential(user, password))
                        .setAllowInsecureRegistries(true));
        return reference;
    }

    private Builder builder(String cache, RegistryCredentials credentials, String base) {
        return new Builder(BuilderConfig.builder().workRoot(tmp.resolve("work")).cacheRoot(tmp.resolve(cache))
                .registry(registry, true).registryCredentials(credentials).templates(List.of(new FakeTemplate("python3")))
                .baseMode(BuilderConfig.BaseMode.CLUSTER).clusterBaseImage("python3", base).build());
    }

    private FunctionBuild build(Builder builder, String owner, RecordingListener listener) throws Exception {
        return builder.build(new BuildRequest(owner, "fns", repo.source(), commit, Map.of(), listener)).functions().get(0);
    }

    @Test
    void withAUserAndPasswordTheBaseIsReadAndTheImagePushedAndReadBack() throws Exception {
        String base = pushBase();
        Builder builder = builder("cache", RegistryCredentials.builder().login(registry, user, password).build(), base);
        RecordingListener listener = new RecordingListener();
        FunctionBuild built = build(builder, "auth-" + System.nanoTime(), listener);
        assertEquals(FunctionBuild.Outcome.BUILT, built.outcome(), built.reason() + "\n" + listener.all());
        ImageRef image = built.image().orElseThrow();
        assertTrue(image.repository().startsWith(registry + "/"), image.toString());
        assertEquals(401, anonymousManifestStatus(image), "the registry refuses anyone without the password");

        ImageContents contents = builder.imageSource().read(image);
        assertEquals("private base\n", Layers.entries(contents.layers().get(0)).get("etc/private-base").text(),
                "read back with the credentials: the base's layer comes first");
        assertFalse(listener.all().contains(password), "the password is never logged");
    }

    @Test
    void aDockerConfigJsonWithAuthsWorksLikeJibUsersExpect() throws Exception {
        String base = pushBase();
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        Path config = Files.writeString(tmp.resolve("config.json"),
                "{\"auths\": {\"" + registry + "\": {\"auth\": \"" + auth + "\"}}}");
        Builder builder = builder("cache", RegistryCredentials.builder().dockerConfig(config).build(), base);
        RecordingListener listener = new RecordingListener();
        FunctionBuild built = build(builder, "docker-config-" + System.nanoTime(), listener);
        assertEquals(FunctionBuild.Outcome.BUILT, built.outcome(), built.reason() + "\n" + listener.all());
        assertEquals(3 + 1, builder.imageSource().read(built.image().orElseThrow()).layers().size(),
                "the base's layer, then runtime, dependencies, function");
    }

    @Test
    void aWrongPasswordFailsTheBuildNamingTheRegistry() throws Exception {
        String base = pushBase();
        RecordingListener listener = new RecordingListener();
        FunctionBuild failed = build(builder("cache", RegistryCredentials.builder()
                .login(registry, user, "not-" + password).build(), base), "wrong-" + System.nanoTime(), listener);
        assertEquals(FunctionBuild.Outcome.FAILED, failed.outcome());
        assertTrue(failed.reason().startsWith("registry " + registry + " refused the credentials (401"), failed.reason());
        assertFalse(listener.all().contains(password), "neither password is logged");

        FunctionBuild anonymous = build(builder("cache2", RegistryCredentials.none(), base), "anon-" + System.nanoTime(),
                new RecordingListener());
        assertEquals(FunctionBuild.Outcome.FAILED, anonymous.outcome());
        assertTrue(anonymous.reason().startsWith("registry " + registry + " asks for credentials (401"), anonymous.reason());
    }

    private int anonymousManifestStatus(ImageRef image) throws Exception {
        String path = image.repository().substring(registry.length() + 1);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + registry + "/v2/" + path
                        + "/manifests/" + image.digest())).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
