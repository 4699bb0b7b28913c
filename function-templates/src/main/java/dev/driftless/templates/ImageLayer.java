package dev.driftless.templates;

import java.nio.file.Path;

/**
 * One layer of a function image: the contents of {@code sourceDir} placed at {@code pathInImage}.
 *
 * @param name        a short name for logs and cache keys: {@code runtime}, {@code dependencies}, {@code function}
 * @param sourceDir   a folder on disk whose whole tree becomes the layer
 * @param pathInImage absolute path in the image, e.g. {@code /home/app}
 */
public record ImageLayer(String name, Path sourceDir, String pathInImage) {
    public ImageLayer {
        if (!pathInImage.startsWith("/")) {
            throw new IllegalArgumentException("pathInImage must be absolute: " + pathInImage);
        }
    }
}
