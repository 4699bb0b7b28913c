package dev.driftless.webhook;

/** A webhook payload that is not JSON, or lacks a field the event needs; answered 400. */
final class MalformedEventException extends Exception {
    MalformedEventException(String message) {
        super(message);
    }

    MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
