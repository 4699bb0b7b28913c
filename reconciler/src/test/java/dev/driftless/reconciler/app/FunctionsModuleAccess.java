package dev.driftless.reconciler.app;

import dev.driftless.reconciler.config.DriftlessConfig;

/** Test access to what FunctionsModule derives from the configuration. */
public final class FunctionsModuleAccess {
    private FunctionsModuleAccess() {
    }

    /** The builder's registry credentials as text (what a log line would show). */
    public static String credentials(DriftlessConfig config) {
        return FunctionsModule.registryCredentials(config).toString();
    }
}
