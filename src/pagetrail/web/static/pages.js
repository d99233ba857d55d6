// pagetrail pages: the only script. Counts down to the next status update and copies previews.
// Everything works without it: the server renders the same due/OVERDUE state when the page loads.
(function () {
  "use strict";

  // The server's clock is the truth (tests and replays move it); keep its offset from this browser's.
  var serverNow = Date.parse(document.body.getAttribute("data-server-now") || "");
  var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();

  function span(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    if (h) { return h + "h" + String(m).padStart(2, "0") + "m" + String(r).padStart(2, "0") + "s"; }
    return m ? m + "m" + String(r).padStart(2, "0") + "s" : r + "s";
  }

  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var late = now - due;
      if (late >= 0) {
        el.textContent = "OVERDUE by " + span(late);
        el.classList.add("overdue");
        var banner = el.closest("[data-due-banner]");
        if (banner) { banner.className = "overdue-banner"; }
      } else {
        el.textContent = "in " + span(-late);
      }
    });
  }

  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(target.value).then(done);
    } else {
      target.select();
      document.execCommand("copy");
      done();
    }
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
  tick();
  setInterval(tick, 1000);
})();
