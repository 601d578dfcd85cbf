// The report form's enhancements; the form works without them.
//
// 1. The anti-spam proof of work: find a nonce such that SHA-256 of "challenge:nonce"
//    starts with the number of zero bits the server asks (data-proof-bits), put it in the
//    hidden proof_nonce field, then send. The search starts when the page opens, in slices
//    that leave the page responsive; sending waits for it when it has not finished.
// (The live CVSS score is cvss.js, shared with the assessment; the focus on a refused form's
// summary is forms.js.)
//
// Served from the binary under /assets/ (script-src 'self'); no inline script anywhere.
(function () {
  'use strict';

  var form = document.getElementById('report-form');
  if (!form) {
    return;
  }

  // SHA-256 (FIPS 180-4) of an ASCII string; answers the eight state words.
  var K = new Uint32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var W = new Uint32Array(64);

  function sha256(text) {
    var length = text.length;
    var padded = ((length + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(padded);
    for (var i = 0; i < length; i++) {
      m[i] = text.charCodeAt(i) & 0xff;
    }
    m[length] = 0x80;
    var bits = length * 8;
    m[padded - 4] = (bits >>> 24) & 0xff;
    m[padded - 3] = (bits >>> 16) & 0xff;
    m[padded - 2] = (bits >>> 8) & 0xff;
    m[padded - 1] = bits & 0xff;
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    for (var off = 0; off < padded; off += 64) {
      var t;
      for (t = 0; t < 16; t++) {
        var p = off + 4 * t;
        W[t] = (m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3];
      }
      for (t = 16; t < 64; t++) {
        var x = W[t - 15];
        var y = W[t - 2];
        var s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
        var s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (k + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
    }
    return h;
  }

  function zeroBits(h) {
    var n = 0;
    for (var i = 0; i < 8; i++) {
      var word = h[i] >>> 0;
      if (word !== 0) {
        return n + Math.clz32(word);
      }
      n += 32;
    }
    return n;
  }

  // The proof of work.
  var challengeField = form.querySelector('input[name="proof_challenge"]');
  var nonceField = document.getElementById('proof-nonce');
  var status = document.getElementById('proof-status');
  var bits = parseInt(form.getAttribute('data-proof-bits'), 10) || 16;
  var sendWhenDone = false;
  var next = 0;

  function slice() {
    var challenge = challengeField.value + ':';
    var end = next + 4000;
    for (; next < end; next++) {
      if (zeroBits(sha256(challenge + next)) >= bits) {
        nonceField.value = String(next);
        if (sendWhenDone) {
          status.textContent = form.getAttribute('data-proof-done');
          form.submit();
        }
        return;
      }
    }
    window.setTimeout(slice, 0);
  }

  if (challengeField && nonceField && status) {
    window.setTimeout(slice, 0);
    form.addEventListener('submit', function (event) {
      if (nonceField.value) {
        return;
      }
      event.preventDefault();
      sendWhenDone = true;
      status.textContent = form.getAttribute('data-proof-working');
    });
  }
})();
