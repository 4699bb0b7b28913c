package dev.driftless.runtime;

/**
 * One function as the runtime runs it now.
 *
 * @param image     the image by digest that serves traffic
 * @param commit    the commit recorded on it
 * @param release   the release number recorded on it
 * @param ready     instances that pass readiness
 * @param desired   instances wanted
 */
public record DeployedFunction(
        String owner,
        String repository,
        String function,
        String image,
        String commit,
        int release,
        int ready,
        int desired) {
}
