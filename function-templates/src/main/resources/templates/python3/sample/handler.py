def handle(req):
    """Greets whoever is named in the request body."""
    name = req.strip() or "world"
    return "Hello, %s! (from Python)" % name
