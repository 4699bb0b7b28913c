'use strict';

// Greets whoever is named in the body or in ?name=, and says how it was called.
module.exports = async (event, context) => {
  const fromBody = typeof event.body === 'string' ? event.body.trim() : '';
  const name = fromBody || event.query.name || 'world';
  return context
    .status(200)
    .headers({ 'Content-Type': 'text/plain; charset=utf-8' })
    .succeed(`Hello, ${name}! (from Node.js, ${event.method} ${event.path})`);
};
