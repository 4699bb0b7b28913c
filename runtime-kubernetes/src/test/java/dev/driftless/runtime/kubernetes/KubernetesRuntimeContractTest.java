package dev.driftless.runtime.kubernetes;

import dev.driftless.runtime.FunctionRuntime;
import dev.driftless.runtime.FunctionRuntimeContractTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** The shared runtime contract, on the mock API server with the test playing the deployment controller. */
class KubernetesRuntimeContractTest extends FunctionRuntimeContractTest {
    static final String V1 = "registry.test/alice/hello@sha256:" + "1".repeat(64);
    static final String V2 = "registry.test/alice/hello@sha256:" + "2".repeat(64);
    static final String BROKEN = "registry.test/alice/hello@sha256:" + "b".repeat(64);

    private MockCluster cluster;
    private FakeDeploymentController controller;
    private KubernetesRuntime runtime;

    @BeforeEach
    void start() {
        cluster = new MockCluster();
        controller = new FakeDeploymentController(cluster.controllerClient);
        controller.crashing.add(BROKEN);
        runtime = new KubernetesRuntime(cluster.runtimeClient,
                KubernetesRuntimeConfig.defaults().withRollout(2, Duration.ofSeconds(10), Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
        controller.close();
        cluster.close();
    }

    @Override
    protected FunctionRuntime runtime() {
        return runtime;
    }

    @Override
    protected ContractImages images() {
        return new ContractImages(V1, V2, BROKEN);
    }

    @Override
    protected Optional<String> servedVersion(String owner, String function) {
        return controller.servedNow("fn-" + owner, function)
                .map(image -> image.equals(V1) ? "one" : image.equals(V2) ? "two" : "unexpected " + image);
    }

    @Override
    protected OptionalLong writes() {
        return OptionalLong.of(cluster.writeCount());
    }
}
