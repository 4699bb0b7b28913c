package dev.driftless.reconciler.dashboard;

import dev.driftless.dashboard.Views;

import java.util.Optional;

/**
 * What the function page shows about scale to zero. The runtime decorator that puts functions to sleep implements
 * it; a runtime without scale to zero has nothing to show.
 */
public interface ScaleToZeroSource {

    /** Empty when the function does not scale to zero. Answers from memory, without blocking. */
    Optional<Views.ScaleToZeroView> scaleToZero(String owner, String function);
}
