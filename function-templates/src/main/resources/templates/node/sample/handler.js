'use strict';

// OpenFaaS classic node template: context is the request body, callback(err, result) answers.
module.exports = (context, callback) => {
  const name = (context || '').trim() || 'world';
  callback(undefined, { greeting: `Hello, ${name}! (from Node.js classic)`, method: process.env.Http_Method });
};
