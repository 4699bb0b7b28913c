package dev.driftless.reconciler.reconcile;

import dev.driftless.builder.FunctionSpec;
import dev.driftless.runtime.FunctionDeployment;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A release keeps the spec it was deployed with as JSON, so a rollback redeploys exactly that
 * (image and settings) without the commit's stack.yml. Keys are sorted: equal specs give equal text.
 */
final class SpecJson {
    private SpecJson() {
    }

    static String write(FunctionSpec spec) {
        JsonObject json = new JsonObject()
                .put("lang", spec.lang())
                .put("environment", new JsonObject(new TreeMap<>(spec.environment())))
                .put("secrets", new JsonArray(spec.secrets()))
                .put("labels", new JsonObject(new TreeMap<>(spec.labels())))
                .put("annotations", new JsonObject(new TreeMap<>(spec.annotations())))
                .put("readOnlyRootFilesystem", spec.readOnlyRootFilesystem());
        spec.memoryLimitBytes().ifPresent(v -> json.put("memoryLimitBytes", v));
        spec.memoryRequestBytes().ifPresent(v -> json.put("memoryRequestBytes", v));
        spec.cpuLimitMillis().ifPresent(v -> json.put("cpuLimitMillis", v));
        spec.cpuRequestMillis().ifPresent(v -> json.put("cpuRequestMillis", v));
        return json.encode();
    }

    static FunctionDeployment deployment(Release release) {
        return deployment(release.owner(), release.repository(), release.function(), release.image(), release.commit(),
                release.number(), release.specJson(), true);
    }

    /** @param withSecrets false drops the secrets the spec names (a fork's preview never reads the owner's secrets) */
    static FunctionDeployment deployment(String owner, String repository, String function, String image, String commit,
                                         int release, String specJson, boolean withSecrets) {
        JsonObject json = new JsonObject(specJson);
        return new FunctionDeployment(
                owner,
                repository,
                function,
                image,
                commit,
                release,
                strings(json.getJsonObject("environment")),
                withSecrets ? json.getJsonArray("secrets", new JsonArray()).stream().map(String::valueOf).toList()
                        : java.util.List.of(),
                strings(json.getJsonObject("labels")),
                strings(json.getJsonObject("annotations")),
                new FunctionDeployment.Resources(
                        Optional.ofNullable(json.getLong("memoryRequestBytes")),
                        Optional.ofNullable(json.getLong("memoryLimitBytes")),
                        Optional.ofNullable(json.getLong("cpuRequestMillis")),
                        Optional.ofNullable(json.getLong("cpuLimitMillis"))),
                json.getBoolean("readOnlyRootFilesystem", true));
    }

    private static Map<String, String> strings(JsonObject object) {
        Map<String, String> values = new TreeMap<>();
        if (object != null) {
            object.forEach(entry -> values.put(entry.getKey(), String.valueOf(entry.getValue())));
        }
        return values;
    }
}
