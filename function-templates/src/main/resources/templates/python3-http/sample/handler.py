def handle(event, context):
    """Greets whoever is named in the request body or the ?name= query."""
    name = event.body.decode("utf-8").strip() or event.query.get("name") or "world"
    return {
        "statusCode": 200,
        "body": {"greeting": "Hello, %s! (from Python HTTP)" % name, "method": event.method, "path": event.path},
        "headers": {"X-Served-By": "python3-http"},
    }
