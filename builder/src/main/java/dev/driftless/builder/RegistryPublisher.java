package dev.driftless.builder;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/** Pushes images to a registry with Jib (blobs already there are not pushed again) and reads them back over HTTP. */
final class RegistryPublisher implements ImageTarget {
    private final String hostPort;
    private final boolean insecure;
    private final RegistryCredentials credentials;
    private final RegistryImageSource reader;

    RegistryPublisher(String hostPort, boolean insecure, RegistryCredentials credentials) {
        this.hostPort = hostPort;
        this.insecure = insecure;
        this.credentials = credentials;
        this.reader = new RegistryImageSource(insecure, credentials);
    }

    @Override
    public String repository(String owner, String repo, String function) {
        return hostPort + "/" + ImageTarget.segment(owner) + "/" + ImageTarget.segment(repo) + "/" + ImageTarget.segment(function);
    }

    @Override
    public ImageRef containerize(JibContainerBuilder container, String repository, String tag, JibSettings jib, Consumer<String> log)
            throws IOException, InterruptedException {
        try {
            ImageReference reference = ImageReference.parse(repository + ":" + tag);
            RegistryImage image = credentials.addTo(RegistryImage.named(reference), reference, JibLog.events(log));
            Containerizer to = Containerizer.to(image).setAllowInsecureRegistries(insecure || jib.insecureBase());
            JibContainer pushed = container.containerize(JibLog.configure(to, jib, log));
            return new ImageRef(repository, pushed.getDigest().toString());
        } catch (InvalidImageReferenceException e) {
            throw new IOException("not a valid image name: " + repository + ":" + tag, e);
        } catch (RegistryUnauthorizedException e) {
            throw new IOException(refusal(e, repository), e);
        } catch (RegistryException | CacheDirectoryCreationException e) {
            throw new IOException("push to " + hostPort + " failed: " + e.getMessage(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RegistryUnauthorizedException refused) {
                throw new IOException(refusal(refused, repository), refused);
            }
            throw new IOException("push to " + hostPort + " failed: " + cause.getMessage(), cause);
        }
    }

    /** 401/403 from the target (pushing) or from a base image's registry (reading it). */
    private String refusal(RegistryUnauthorizedException e, String repository) {
        return RegistryRefusal.message(e, credentials, e.getImageReference().startsWith(repository));
    }

    @Override
    public boolean exists(ImageRef ref) throws IOException, InterruptedException {
        return reader.exists(ref);
    }

    @Override
    public ImageContents read(ImageRef ref) throws IOException {
        return reader.read(ref);
    }
}
