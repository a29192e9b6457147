// Progressive enhancement only: every page works without this file.
// Served by the binary from /assets/app.js (the CSP allows scripts from this origin only).
"use strict";

(function () {
  // The same words as the server's `duration_in_words`, so the text does not jump on load.
  function inWords(seconds) {
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    if (h === 0 && m === 0) return s + " s";
    if (h === 0) return m + " min " + s + " s";
    return h + " h " + m + " min " + s + " s";
  }

  function relative(at, now) {
    var delta = at - now;
    if (delta === 0) return "now";
    return delta > 0 ? "in " + inWords(delta) : inWords(-delta) + " ago";
  }

  // Live countdowns: elements with data-at (Unix seconds) show the time to or since it.
  function tick() {
    var now = Math.floor(Date.now() / 1000);
    var items = document.querySelectorAll(".relative[data-at]");
    for (var i = 0; i < items.length; i++) {
      var at = parseInt(items[i].getAttribute("data-at"), 10);
      if (isNaN(at)) continue;
      var text = relative(at, now);
      if (items[i].classList.contains("countdown") && at <= now) {
        text += " (expired: the next request goes back to the login page)";
        items[i].classList.add("expired");
      }
      items[i].textContent = text;
    }
  }

  if (document.querySelector(".relative[data-at]")) {
    tick();
    window.setInterval(tick, 1000);
  }
})();
