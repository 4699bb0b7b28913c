'use strict';
const test = require('node:test');
const assert = require('node:assert');
const handler = require('./handler');

test('greets the name in the body', (t, done) => {
  handler('Driftless', (err, res) => {
    assert.ifError(err);
    assert.strictEqual(res.greeting, 'Hello, Driftless! (from Node.js classic)');
    done();
  });
});

test('greets the world without a body', (t, done) => {
  handler('', (err, res) => {
    assert.strictEqual(res.greeting, 'Hello, world! (from Node.js classic)');
    done();
  });
});
