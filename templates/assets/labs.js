// Enhancement only: the expiry lab's countdown. Without JavaScript the page shows the seconds
// left when it was rendered, and the buttons still work.
(function () {
  "use strict";
  var el = document.getElementById("countdown");
  if (!el) { return; }
  var exp = parseInt(el.getAttribute("data-exp"), 10);
  if (isNaN(exp)) { return; }
  var verdict = document.getElementById("verdict");
  var accepted = verdict && verdict.className.indexOf("verdict-good") >= 0;
  function tick() {
    var left = exp - Math.floor(Date.now() / 1000);
    // The verdict was the verifier's answer at rendering; once the token is past exp, a
    // "accepted" beside "Expired 2 s ago" would contradict the heading.
    if (left <= 0 && accepted) {
      verdict.textContent = "Accepted when this page was made; expired since. Ask the verifier now: it refuses it.";
      verdict.className = "verdict verdict-bad";
      accepted = false;
    }
    el.textContent = left > 0
      ? "Expires in " + left + " s (exp = " + exp + ")"
      : "Expired " + (-left) + " s ago (exp = " + exp + "): open the dashboard or ask the verifier.";
    if (left > -600) { window.setTimeout(tick, 500); }
  }
  tick();
}());
