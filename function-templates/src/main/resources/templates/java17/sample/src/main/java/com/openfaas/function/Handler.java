package com.openfaas.function;

import com.openfaas.model.IRequest;
import com.openfaas.model.IResponse;
import com.openfaas.model.Response;

/** Greets whoever is named in the request body. */
public class Handler extends com.openfaas.model.AbstractHandler {

    @Override
    public IResponse Handle(IRequest req) {
        String body = req.getBody() == null ? "" : req.getBody().strip();
        String name = body.isEmpty() ? "world" : body;
        Response res = new Response();
        res.setContentType("text/plain; charset=utf-8");
        res.setHeader("X-Handler", "java17-sample");
        res.setBody("Hello, " + name + "! (from Java)");
        return res;
    }
}
