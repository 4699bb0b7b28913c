package dev.driftless.builder;

import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.http.ResponseException;

/** What a user reads when a registry says 401 or 403: which registry, what it refused, and what to set. */
final class RegistryRefusal {
    private RegistryRefusal() { }

    static String message(String registry, int status, boolean hadCredentials, String what) {
        String code = status == 403 ? "403 Forbidden" : "401 Unauthorized";
        if (status == 403) {
            return "registry " + registry + " refused access (" + code + ") " + what
                    + " with the configured credentials: the account lacks permission";
        }
        if (hadCredentials) {
            return "registry " + registry + " refused the credentials (" + code + ") " + what
                    + ": check DRIFTLESS_REGISTRY_USERNAME/_PASSWORD or the Docker config.json (DRIFTLESS_REGISTRY_CONFIG)";
        }
        return "registry " + registry + " asks for credentials (" + code + ") " + what
                + ": set DRIFTLESS_REGISTRY_USERNAME and DRIFTLESS_REGISTRY_PASSWORD, or a Docker config.json (DRIFTLESS_REGISTRY_CONFIG)";
    }

    /** From Jib's refusal, pushing or pulling a base. */
    static String message(RegistryUnauthorizedException e, RegistryCredentials credentials, boolean push) {
        String reference = e.getImageReference();
        int slash = reference.indexOf('/');
        String registry = slash > 0 ? reference.substring(0, slash) : reference;
        String repository = slash > 0 ? reference.substring(slash + 1) : reference;
        // Jib says "unauthorized" for 401 and 403 alike; the status is on its response exception.
        int status = e.getCause() instanceof ResponseException response ? response.getStatusCode() : 401;
        return message(registry, status, credentials.credentialFor(registry).isPresent(),
                (push ? "for pushing " : "for reading ") + repository);
    }
}
