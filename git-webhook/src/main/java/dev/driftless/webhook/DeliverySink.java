package dev.driftless.webhook;

/**
 * Where verified deliveries go. The reconciler implements it: it records the delivery and the job
 * it triggers in one transaction. Called on a worker thread, before the HTTP answer is sent, so that
 * nothing answered 2xx is lost.
 */
public interface DeliverySink {
    enum Result { RECORDED, DUPLICATE }

    Result accept(Delivery delivery) throws Exception;
}
