package dev.driftless.builder;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.CredentialRetriever;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * How the builder logs in to registries, the way Jib users expect, tried in this order: a user and password
 * given for one registry (the operator's {@code DRIFTLESS_REGISTRY_USERNAME}/{@code _PASSWORD}), a Docker
 * {@code config.json} at a given path (on Kubernetes: the pull secret's {@code .dockerconfigjson}), and the
 * Docker config at its usual place ({@code $DOCKER_CONFIG/config.json}, {@code ~/.docker/config.json}). A Docker
 * config's {@code auths} are read directly; its {@code credHelpers} and {@code credsStore} run
 * {@code docker-credential-<name>} when that program is on the PATH (Jib's own retrievers do both). Used for
 * pushing, for pulling a base image and for reading images back. Passwords never appear in {@link #toString}.
 */
public final class RegistryCredentials {
    private record Login(String user, String password) { }

    private final Map<String, Login> logins;
    private final Optional<Path> dockerConfig;
    private final boolean usualDockerConfig;

    private RegistryCredentials(Map<String, Login> logins, Optional<Path> dockerConfig, boolean usualDockerConfig) {
        this.logins = Map.copyOf(logins);
        this.dockerConfig = dockerConfig;
        this.usualDockerConfig = usualDockerConfig;
    }

    /** Anonymous everywhere. */
    public static RegistryCredentials none() {
        return new RegistryCredentials(Map.of(), Optional.empty(), false);
    }

    /** Only the Docker config at its usual place: what Jib does by default. */
    public static RegistryCredentials standard() {
        return new RegistryCredentials(Map.of(), Optional.empty(), true);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when some credentials are configured beyond the usual Docker config. */
    public boolean configured() {
        return !logins.isEmpty() || dockerConfig.isPresent();
    }

    /** Adds this configuration's retrievers, in order, to a Jib image of {@code reference}. */
    RegistryImage addTo(RegistryImage image, ImageReference reference, Consumer<LogEvent> log) {
        retrievers(reference, log).forEach(image::addCredentialRetriever);
        return image;
    }

    /** The first credential found for {@code registry} (host[:port]), for reading images over the HTTP API. */
    Optional<Credential> credentialFor(String registry) {
        ImageReference probe;
        try {
            probe = ImageReference.parse(registry + "/driftless/probe");
        } catch (InvalidImageReferenceException e) {
            return Optional.empty();
        }
        for (CredentialRetriever retriever : retrievers(probe, event -> { })) {
            try {
                Optional<Credential> found = retriever.retrieve();
                if (found.isPresent()) {
                    return found;
                }
            } catch (Exception e) {
                // a helper that fails is skipped, as Jib does when it tries the next retriever
            }
        }
        return Optional.empty();
    }

    private List<CredentialRetriever> retrievers(ImageReference reference, Consumer<LogEvent> log) {
        CredentialRetrieverFactory factory = CredentialRetrieverFactory.forImage(reference, log);
        List<CredentialRetriever> retrievers = new ArrayList<>();
        Login login = logins.get(reference.getRegistry().toLowerCase(Locale.ROOT));
        if (login != null) {
            retrievers.add(factory.known(Credential.from(login.user(), login.password()), "DRIFTLESS_REGISTRY_USERNAME"));
        }
        dockerConfig.ifPresent(file -> retrievers.add(factory.dockerConfig(file)));
        if (usualDockerConfig) {
            retrievers.add(factory.dockerConfig());
        }
        return retrievers;
    }

    @Override
    public String toString() {
        return "RegistryCredentials{logins=" + logins.keySet() + ", dockerConfig=" + dockerConfig.map(Path::toString).orElse("-")
                + ", usualDockerConfig=" + usualDockerConfig + "}";
    }

    /** Starts from the usual Docker config; add a login or a config file. */
    public static final class Builder {
        private final Map<String, Login> logins = new LinkedHashMap<>();
        private Path dockerConfig;
        private boolean usualDockerConfig = true;

        private Builder() { }

        /** {@code user} and {@code password} for {@code registry} (host[:port]) only; no other registry sees them. */
        public Builder login(String registry, String user, String password) {
            Objects.requireNonNull(registry, "registry");
            if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
                throw new IllegalArgumentException("a registry login needs a user and a password");
            }
            logins.put(registry.toLowerCase(Locale.ROOT), new Login(user, password));
            return this;
        }

        /** A Docker {@code config.json} (or a pull secret's {@code .dockerconfigjson}) to read. */
        public Builder dockerConfig(Path file) {
            this.dockerConfig = Objects.requireNonNull(file, "file");
            return this;
        }

        /** Whether the Docker config at its usual place is read too (default yes). */
        public Builder usualDockerConfig(boolean read) {
            this.usualDockerConfig = read;
            return this;
        }

        public RegistryCredentials build() {
            return new RegistryCredentials(logins, Optional.ofNullable(dockerConfig), usualDockerConfig);
        }
    }
}
