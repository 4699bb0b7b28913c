package dev.driftless.entrypoint.java;

import com.openfaas.model.Request;

/**
 * The OpenFaaS {@link Request} plus the HTTP method, which the OpenFaaS model does not carry. Handlers
 * written for OpenFaaS see a plain {@code IRequest}; those that need the method may cast to this class.
 */
public class DriftlessRequest extends Request {
    private final String method;

    public DriftlessRequest(String method, String body, java.util.Map<String, String> headers, String queryRaw, String pathRaw) {
        super(body, headers, queryRaw, pathRaw);
        this.method = method;
    }

    public String getMethod() {
        return method;
    }
}
