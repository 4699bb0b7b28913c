package dev.driftless.gateway;

/** What the gateway does with a request, decided from its Host and raw path alone. */
sealed interface Resolution {
    /** Forward to {@code address}; the function sees {@code path} (prefix stripped), the client used {@code prefix}. */
    record Forward(FunctionAddress address, String prefix, String path) implements Resolution { }

    /** A request for the bare domain outside {@code /f/}: the dashboard's business. */
    record Fallback() implements Resolution { }

    /** Refused before any backend is involved. */
    record Refuse(int status, String message) implements Resolution { }
}
