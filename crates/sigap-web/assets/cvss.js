// The live CVSS score: while a vector is typed in a form's `cvss_vector` field, ask the
// server to score it (GET /api/v1/cvss) and show the score and its band under the field,
// as the form's data attributes word it (data-cvss-line with %{version}, %{score} and
// %{band}; the decimal mark in data-cvss-decimal). In the assessment (a form with the
// criticality's choices and data-cvss-maps) it also says which criticality the score maps
// to, and so when a reason is needed. The forms work without it.
//
// Served from the binary under /assets/ (script-src 'self'); no inline script anywhere.
(function () {
  'use strict';

  if (!window.fetch) {
    return;
  }
  var vectors = document.querySelectorAll('form input[name="cvss_vector"]');
  Array.prototype.forEach.call(vectors, function (vector) {
    if (vector.form.hasAttribute('data-cvss-line')) {
      live(vector, vector.form);
    }
  });

  function fill(template, values) {
    return template.replace(/%\{(\w+)\}/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : all;
    });
  }

  function live(vector, form) {
    var output = document.createElement('output');
    output.id = vector.id + '-live';
    output.className = 'hint cvss-live';
    output.setAttribute('for', vector.id);
    output.setAttribute('aria-live', 'polite');
    vector.insertAdjacentElement('afterend', output);
    var timer = null;
    var asked = 0;

    function show() {
      var text = vector.value.trim();
      var mine = ++asked;
      if (!text) {
        output.textContent = '';
        return;
      }
      window.fetch('/api/v1/cvss?vector=' + encodeURIComponent(text), {
        headers: { Accept: 'application/json' }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (scored) {
        if (mine !== asked) {
          return;
        }
        if (!scored) {
          output.textContent = form.getAttribute('data-cvss-invalid');
          return;
        }
        var line = fill(form.getAttribute('data-cvss-line'), {
          version: scored.version,
          score: scored.score.toFixed(1).replace('.', form.getAttribute('data-cvss-decimal') || '.'),
          band: form.getAttribute('data-band-' + scored.band) || scored.band
        });
        var maps = form.getAttribute('data-cvss-maps');
        if (maps) {
          var level = scored.score >= 7.0 ? 'high' : 'low';
          line += '. ' + fill(maps, {
            criticality: form.getAttribute('data-criticality-' + level) || level
          });
        }
        output.textContent = line;
      }).catch(function () {
        output.textContent = '';
      });
    }

    vector.addEventListener('input', function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(show, 300);
    });
    show();
  }
})();
