// A refused form: the focus moves to the summary of what to fix (each item links to its
// field), so that a screen reader reads it and the keyboard starts there. The page works
// without it: the summary is the first thing of the form either way.
//
// Served from the binary under /assets/ (script-src 'self'); no inline script anywhere.
(function () {
  'use strict';

  var summary = document.querySelector('.error-summary');
  if (!summary) {
    return;
  }
  // A summary inside a folded action form: unfold it first.
  var details = summary.closest('details');
  if (details) {
    details.open = true;
  }
  summary.focus();
})();
