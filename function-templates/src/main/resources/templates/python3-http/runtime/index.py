"""HTTP entrypoint of python3-http function images (the OpenFaaS python3-http contract).

Serves handle(event, context) of function/handler.py at / (any method, any sub-path) and health at
/_/health, on $PORT. The handler returns a dict with statusCode, body and headers (or a plain value,
sent as the body). Requests are served on threads; a handler that raises gives a 500 with the error
and the server keeps running. Uses only the standard library (OpenFaaS's template uses Flask).
"""
import json
import urllib.parse
import http.server
import importlib
import os
import signal
import sys
import threading
import traceback

FUNCTION_DIR = os.environ.get("DRIFTLESS_FUNCTION_DIR", "/home/app/function")
MAX_BODY = int(os.environ.get("MAX_BODY_BYTES", str(64 * 1024 * 1024)))


class Event:
    """What OpenFaaS's python3-http passes as event: body (bytes), headers, method, query, path."""

    def __init__(self, body, headers, method, query, path):
        self.body = body
        self.headers = headers  # case-insensitive .get(), like Flask's
        self.method = method
        self.query = query      # name -> first value, like Flask's request.args.get
        self.path = path


class Context:
    def __init__(self):
        self.hostname = os.getenv("HOSTNAME", "localhost")


def format_response(res):
    """(status, body bytes, headers) as OpenFaaS's format_response does."""
    if res is None:
        return 200, b"", {}
    if not isinstance(res, dict):
        return 200, res if isinstance(res, bytes) else str(res).encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"}
    status = int(res.get("statusCode", 200))
    headers = dict(res.get("headers") or {})
    body = res.get("body", "")
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode("utf-8")
        if not any(k.lower() == "content-type" for k in headers):
            headers["Content-Type"] = "application/json"
    elif isinstance(body, bytes):
        data = body
    else:
        data = ("" if body is None else str(body)).encode("utf-8")
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "text/html; charset=utf-8"
    return status, data, headers

# OpenFaaS imports the handler as the package "function"; sibling modules may also be imported directly
# (appended last, so a handler file named like a standard module cannot shadow it).
sys.path.insert(0, os.path.dirname(os.path.abspath(FUNCTION_DIR)))
sys.path.append(FUNCTION_DIR)
_package = os.path.basename(os.path.abspath(FUNCTION_DIR))
handler = importlib.import_module(_package + ".handler")


class BodyTooLarge(Exception):
    pass


class FunctionRequestHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "driftless-python3-http"

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, size = [], 0
            while True:
                line = self.rfile.readline(65537).strip()
                length = int(line.split(b";")[0], 16)
                if length == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                size += length
                if size > MAX_BODY:
                    raise BodyTooLarge()
                chunks.append(self.rfile.read(length))
                self.rfile.readline(3)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise BodyTooLarge()
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status, body, content_type, headers=None):
        data = body if isinstance(body, bytes) else str(body).encode("utf-8")
        self.send_response(status)
        headers = dict(headers or {"Content-Type": content_type})
        for name, value in headers.items():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _serve(self):
        if self.path.split("?", 1)[0] == "/_/health":
            self._send(200, "OK", "text/plain; charset=utf-8")
            return
        try:
            body = self._read_body()
        except BodyTooLarge:
            self.close_connection = True
            self._send(413, "request body larger than %d bytes" % MAX_BODY, "text/plain; charset=utf-8")
            return
        parsed = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        event = Event(body, self.headers, self.command, query, parsed.path)
        try:
            status, data, headers = format_response(handler.handle(event, Context()))
        except Exception as e:  # the function's error is the caller's answer, not the server's end
            traceback.print_exc()
            self._send(500, "handler error: %s: %s" % (type(e).__name__, e), "text/plain; charset=utf-8")
            return
        self._send(status, data, None, headers)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

    def log_message(self, format, *args):
        pass  # one line per request would drown the function's own output


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def main():
    port = int(os.environ.get("PORT", "8080"))
    server = Server((os.environ.get("HOST", "0.0.0.0"), port), FunctionRequestHandler)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print("python3-http function listening on port %d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
