// Live countdowns: an element with `data-due` (a deadline within the hour) is counted down
// each second in the page's words (`data-left` / `data-over`, with `{span}` for the time;
// `data-minute`, `data-second` the units). The server's `data-now` corrects a wrong clock
// in the browser. Without the script the server's text stands.
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-due]"));
  if (!items.length) {
    return;
  }
  items.forEach(function (el) {
    var server = Date.parse(el.getAttribute("data-now"));
    el.sigapOffset = isNaN(server) ? 0 : server - Date.now();
  });
  function tick() {
    items.forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) {
        return;
      }
      var left = due - (Date.now() + el.sigapOffset);
      var over = left < 0;
      var seconds = Math.floor(Math.abs(left) / 1000);
      var span = Math.floor(seconds / 60) + " " + el.getAttribute("data-minute") + " " +
        (seconds % 60) + " " + el.getAttribute("data-second");
      var sentence = el.getAttribute(over ? "data-over" : "data-left") || "";
      el.textContent = sentence.replace("{span}", span);
      el.classList.toggle("overdue", over);
    });
  }
  tick();
  window.setInterval(tick, 1000);
})();
