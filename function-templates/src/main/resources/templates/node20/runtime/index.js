'use strict';
// HTTP entrypoint of node20 function images (OpenFaaS of-watchdog node20 handler contract).
// Serves function/handler.js at / (any method, any sub-path) and health at /_/health, on $PORT.
// Only Node's own modules: the image has no express. A handler that throws or calls
// context.fail() gives a 500 with the error; the server keeps running.
const http = require('http');
const path = require('path');
const { pathToFileURL } = require('url');

const functionDir = process.env.DRIFTLESS_FUNCTION_DIR || '/home/app/function';
const maxBody = Number(process.env.MAX_BODY_BYTES || 64 * 1024 * 1024);
const rawBody = process.env.RAW_BODY === 'true';

// CommonJS (module.exports = fn) or an ES module (export default fn; "type": "module"), which
// newer Node versions also return from require() as a namespace object.
async function loadHandler() {
  const file = path.join(functionDir, 'handler.js');
  let mod;
  try {
    mod = require(file);
  } catch (e) {
    if (e.code !== 'ERR_REQUIRE_ESM') throw e;
    mod = await import(pathToFileURL(file).href);
  }
  return typeof mod === 'function' ? mod : mod && mod.default;
}

class FunctionEvent {
  constructor(req, body, url) {
    this.body = body;
    this.headers = req.headers;
    this.method = req.method;
    this.query = Object.fromEntries(url.searchParams);
    this.path = url.pathname;
  }
}

class FunctionContext {
  constructor(cb) {
    this.statusCode = 200;
    this.cb = cb;
    this.headerValues = {};
    this.cbCalled = 0;
  }

  status(statusCode) {
    if (!statusCode) return this.statusCode;
    this.statusCode = statusCode;
    return this;
  }

  headers(value) {
    if (!value) return this.headerValues;
    this.headerValues = value;
    return this;
  }

  succeed(value) {
    this.cbCalled++;
    this.cb(undefined, value);
  }

  fail(value) {
    if (this.status() === 200) this.status(500);
    this.cbCalled++;
    this.cb(value === undefined ? new Error('context.fail()') : value);
  }
}

// As the OpenFaaS template's body parsers: JSON parsed, text/* and no type as string,
// urlencoded as an object, anything else (or RAW_BODY=true) as a Buffer.
function parseBody(buffer, contentType) {
  if (rawBody) return buffer;
  const type = (contentType || 'text/plain').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    return buffer.length === 0 ? {} : JSON.parse(buffer.toString('utf8'));
  }
  if (type.startsWith('text/')) return buffer.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(buffer.toString('utf8')));
  }
  return buffer;
}

function send(res, status, headers, body) {
  if (res.headersSent) return;
  let payload = body;
  const out = Object.assign({}, headers);
  const hasType = Object.keys(out).some((k) => k.toLowerCase() === 'content-type');
  if (payload === undefined || payload === null) {
    payload = '';
  } else if (Buffer.isBuffer(payload)) {
    if (!hasType) out['Content-Type'] = 'application/octet-stream';
  } else if (typeof payload === 'object') {
    payload = JSON.stringify(payload);
    if (!hasType) out['Content-Type'] = 'application/json; charset=utf-8';
  } else {
    payload = String(payload);
    if (!hasType) out['Content-Type'] = 'text/plain; charset=utf-8';
  }
  out['Content-Length'] = Buffer.byteLength(payload);
  res.writeHead(status, out);
  res.end(payload);
}

function errorText(err) {
  if (err instanceof Error) return 'handler error: ' + err.toString();
  return typeof err === 'string' ? err : JSON.stringify(err);
}

async function main() {
  const handler = await loadHandler();
  if (typeof handler !== 'function') {
    throw new Error('handler.js must export a function: module.exports = async (event, context) => ...');
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/_/health') {
      send(res, 200, {}, 'OK');
      return;
    }
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > maxBody) {
        tooLarge = true;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        send(res, 413, { Connection: 'close' }, 'request body larger than ' + maxBody + ' bytes');
        return;
      }
      let body;
      try {
        body = parseBody(Buffer.concat(chunks), req.headers['content-type']);
      } catch (e) {
        send(res, 400, {}, 'invalid request body: ' + e.message);
        return;
      }
      const context = new FunctionContext((err, result) => {
        if (err) {
          console.error(err);
          send(res, context.status() === 200 ? 500 : context.status(), {}, errorText(err));
          return;
        }
        send(res, context.status(), context.headers(), result);
      });
      Promise.resolve()
        .then(() => handler(new FunctionEvent(req, body, url), context))
        .then((result) => {
          if (!context.cbCalled) context.succeed(result);
        })
        .catch((e) => {
          if (context.status() === 200) context.status(500);
          context.cb(e);
        });
    });
  });
  server.keepAliveTimeout = 65000;
  const port = Number(process.env.PORT || 8080);
  server.listen(port, process.env.HOST || '0.0.0.0', () => {
    console.log('node20 function listening on port ' + port);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

process.on('unhandledRejection', (e) => console.error('unhandled rejection:', e));
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
