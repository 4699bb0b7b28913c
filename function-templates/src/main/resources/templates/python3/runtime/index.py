"""HTTP entrypoint of python3 function images (OpenFaaS classic handler contract).

Serves handle(req) of function/handler.py at / (any method, any sub-path) and health at /_/health,
on $PORT. Requests are served on threads; a handler that raises gives a 500 with the error and the
server keeps running. Uses only the standard library.
"""
import http.server
import importlib
import os
import signal
import sys
import threading
import traceback

FUNCTION_DIR = os.environ.get("DRIFTLESS_FUNCTION_DIR", "/home/app/function")
MAX_BODY = int(os.environ.get("MAX_BODY_BYTES", str(64 * 1024 * 1024)))
CONTENT_TYPE = os.environ.get("content_type", "text/plain; charset=utf-8")  # the classic watchdog's variable

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
    server_version = "driftless-python3"

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

    def _send(self, status, body, content_type):
        data = body if isinstance(body, bytes) else str(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
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
        try:
            result = handler.handle(body.decode("utf-8", errors="replace"))
        except Exception as e:  # the function's error is the caller's answer, not the server's end
            traceback.print_exc()
            self._send(500, "handler error: %s: %s" % (type(e).__name__, e), "text/plain; charset=utf-8")
            return
        self._send(200, b"" if result is None else result, CONTENT_TYPE)

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
    print("python3 function listening on port %d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
