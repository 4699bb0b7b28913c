'use strict';
// HTTP entrypoint of node function images (OpenFaaS's classic node template behind the classic watchdog).
// handler.js exports (context, callback): context is the request body as a string, callback(err, result)
// answers. Objects and arrays are sent as JSON text, strings and Buffers as they are. The classic watchdog's
// Http_* variables are set in process.env before each call. Health at /_/health, on $PORT.
const http = require('http');
const path = require('path');

const functionDir = process.env.DRIFTLESS_FUNCTION_DIR || '/home/app/function';
const maxBody = Number(process.env.MAX_BODY_BYTES || 64 * 1024 * 1024);
const contentType = process.env.content_type || '';
const handler = require(path.join(functionDir, 'handler.js'));

function requestEnvironment(req, url, length) {
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('Http_')) delete process.env[key];
  }
  for (const [name, value] of Object.entries(req.headers)) {
    // Node lower-cases header names; the watchdog uses Go's canonical form (Content-Type -> Http_Content_Type).
    const canonical = name.split('-').map(p => p.charAt(0).toUpperCase() + p.slice(1)).join('_');
    process.env['Http_' + canonical] = Array.isArray(value) ? value[0] : String(value);
  }
  process.env.Http_Method = req.method;
  process.env.Http_Content_Length = String(length);
  process.env.Http_ContentLength = String(length);
  if (url.search.length > 1) process.env.Http_Query = url.search.slice(1);
  process.env.Http_Path = url.pathname;
}

function send(req, res, status, body, type) {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(String(body), 'utf8');
  const headers = { 'Content-Length': data.length };
  if (type) headers['Content-Type'] = type;
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : data);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/_/health') return send(req, res, 200, 'OK', 'text/plain; charset=utf-8');
  const chunks = [];
  let size = 0;
  req.on('data', chunk => {
    size += chunk.length;
    if (size > maxBody) {
      send(req, res, 413, 'request body larger than ' + maxBody + ' bytes', 'text/plain; charset=utf-8');
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.headersSent) return;
    const body = Buffer.concat(chunks);
    requestEnvironment(req, url, body.length);
    let answered = false;
    const callback = (err, result) => {
      if (answered) return;
      answered = true;
      if (err) {
        console.error(err);
        return send(req, res, 500, 'handler error: ' + (err && err.message ? err.message : String(err)), 'text/plain; charset=utf-8');
      }
      const type = contentType || req.headers['content-type'] || '';
      if (result === undefined || result === null) return send(req, res, 200, '', type);
      if (Buffer.isBuffer(result) || typeof result !== 'object') return send(req, res, 200, result, type);
      send(req, res, 200, JSON.stringify(result), type);
    };
    try {
      handler(body.toString('utf8'), callback);
    } catch (e) {
      callback(e);
    }
  });
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(Number(process.env.PORT || 8080), process.env.HOST || '0.0.0.0', () => {
  console.log('node function listening on port ' + server.address().port);
});
