package dev.driftless.templates;

/** A function could not be built with its template; the message says what the user must fix. */
public class TemplateException extends Exception {
    public TemplateException(String message) {
        super(message);
    }

    public TemplateException(String message, Throwable cause) {
        super(message, cause);
    }
}
