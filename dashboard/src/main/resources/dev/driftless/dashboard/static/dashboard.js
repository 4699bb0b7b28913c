// The dashboard's only script, served from /static/ (the CSP allows script-src 'self' and nothing inline).
// Pages pass it data in data-* attributes, which it reads as text: nothing from a page is evaluated.
'use strict';

// A form with data-confirm asks before it is sent (rollback: "Roll back hello to release 1?").
document.addEventListener('submit', function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Follows every log with a data-src until its build has finished: polls for the lines after the last one shown.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('pre.log[data-src]').forEach(function (pre) {
    var from = 0;
    function poll() {
      fetch(pre.dataset.src + '&from=' + from, {credentials: 'same-origin'})
        .then(function (response) { return response.json(); })
        .then(function (chunk) {
          if (chunk.lines.length) {
            if (from === 0) { pre.textContent = ''; }
            pre.textContent += chunk.lines.join('\n') + '\n';
            from = chunk.from + chunk.lines.length;
            pre.scrollTop = pre.scrollHeight;
          }
          if (!chunk.done) { setTimeout(poll, 1000); } else { pre.dataset.done = 'true'; }
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    poll();
  });
});
