'use strict';
const test = require('node:test');
const assert = require('node:assert');
const handler = require('./handler');

// A stand-in for the template's context that records what the handler answered.
function recorder() {
  const answer = {};
  const context = {
    status(code) { answer.status = code; return context; },
    headers(h) { answer.headers = h; return context; },
    succeed(value) { answer.body = value; },
    fail(err) { answer.error = err; },
  };
  return { answer, context };
}

test('greets the name in the body', async () => {
  const { answer, context } = recorder();
  await handler({ body: 'Driftless', query: {}, method: 'POST', path: '/' }, context);
  assert.strictEqual(answer.status, 200);
  assert.strictEqual(answer.body, 'Hello, Driftless! (from Node.js, POST /)');
});

test('greets the name in the query without a body', async () => {
  const { answer, context } = recorder();
  await handler({ body: '', query: { name: 'Ada' }, method: 'GET', path: '/hi' }, context);
  assert.strictEqual(answer.body, 'Hello, Ada! (from Node.js, GET /hi)');
});
