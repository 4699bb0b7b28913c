package dev.driftless.builder;

import java.io.IOException;

/** Reads an image back by digest from wherever the builder put it (registry or the local image store). */
public interface ImageSource {
    ImageContents read(ImageRef ref) throws IOException;
}
