package dev.driftless.webhook;

import java.util.concurrent.CompletionStage;

/**
 * A sink that records deliveries without holding a thread per delivery (group commit: deliveries that arrive
 * together are written in one transaction by the sink's own committer). {@link WebhookHandler} calls
 * {@link #submit} on the event loop, so it must not block; the stage completes once the delivery is durably
 * recorded (or exceptionally when its transaction failed), and only then is the delivery answered.
 */
public interface AsyncDeliverySink extends DeliverySink {

    CompletionStage<Result> submit(Delivery delivery);

    /** Blocking form, for callers on a worker thread. */
    @Override
    default Result accept(Delivery delivery) throws Exception {
        try {
            return submit(delivery).toCompletableFuture().get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
