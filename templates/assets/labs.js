// Enhancement only: the expiry lab's countdown. Without JavaScript the page shows the seconds
// left when it was rendered, and the buttons still work.
(function () {
  "use strict";
  var el = document.getElementById("countdown");
  if (!el) { return; }
  var exp = parseInt(el.getAttribute("data-exp"), 10);
  if (isNaN(exp)) { return; }
  function tick() {
    var left = exp - Math.floor(Date.now() / 1000);
    el.textContent = left > 0
      ? "Expires in " + left + " s (exp = " + exp + ")"
      : "Expired " + (-left) + " s ago (exp = " + exp + "): open the dashboard or ask the verifier.";
    if (left > -600) { window.setTimeout(tick, 500); }
  }
  tick();
}());
