package dev.driftless.builder;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

/**
 * An image read back by digest, for runtimes that run it without a container engine (the local runtime
 * unpacks these layers into a root folder).
 *
 * @param layers     the layer blobs in order, base first; each opens a fresh stream of the (gzipped) tar
 * @param entrypoint the image config's Entrypoint followed by Cmd
 * @param environment the image config's Env
 * @param user       the image config's User (numeric uid[:gid] or name)
 * @param workingDirectory the image config's WorkingDir
 * @param labels     the image config's Labels
 */
public record ImageContents(
        ImageRef ref,
        List<Layer> layers,
        List<String> entrypoint,
        Map<String, String> environment,
        String user,
        String workingDirectory,
        Map<String, String> labels) {

    /** One layer blob: its digest, media type and a way to read it. */
    public interface Layer {
        String digest();

        String mediaType();

        InputStream open() throws IOException;
    }
}
