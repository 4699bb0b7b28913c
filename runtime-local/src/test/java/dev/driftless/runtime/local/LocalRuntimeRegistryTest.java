package dev.driftless.runtime.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.driftless.builder.Builder;
import dev.driftless.builder.BuilderConfig;
import dev.driftless.gateway.FunctionAddress;
import dev.driftless.gateway.InMemoryRouteTable;
import dev.driftless.runtime.FunctionDeployment;
import dev.driftless.runtime.RolloutResult;
import dev.driftless.testsupport.RealComponent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local runtime reading an image from a real OCI registry through the builder's own {@code ImageSource}. */
class LocalRuntimeRegistryTest {
    @TempDir
    Path data;

    @Test
    void runsAnImagePushedToTheRegistryReadBackByTheBuildersImageSource() throws Exception {
        String registry = RealComponent.REGISTRY.require();
        Path bwrap = Path.of(RealComponent.BWRAP.require());
        String image = TestImages.pushV1(registry, data.resolve("jib"));
        Builder builder = new Builder(BuilderConfig.builder()
                .workRoot(data.resolve("work"))
                .cacheRoot(data.resolve("cache"))
                .registry(registry, true)
                .build());
        InMemoryRouteTable routes = new InMemoryRouteTable();

        try (LocalRuntime runtime = new LocalRuntime(LocalRuntimeSettings.defaults(data.resolve("daemon"))
                .withBubblewrap(Optional.of(bwrap)).withHealthTimeout(Duration.ofSeconds(30)),
                builder.imageSource(), routes)) {
            RolloutResult result = runtime.deploy(new FunctionDeployment("alice", "fns", "hello", image, "c1", 1,
                    Map.of(), List.of(), Map.of(), Map.of(), FunctionDeployment.Resources.none(), true));

            assertEquals(RolloutResult.Outcome.ROLLED_OUT, result.outcome(), result::toString);
            int port = routes.lookup(new FunctionAddress("alice", "hello")).orElseThrow().port();
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("one", response.body());
            assertEquals(image, runtime.find("alice", "hello").orElseThrow().image());
        }
    }
}
