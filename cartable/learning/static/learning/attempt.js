// Autosave of a quiz attempt: every change is posted at once, with a growing sequence so that the server
// keeps the newest; without scripts, « Enregistrer » posts the whole form.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var sequence = form.querySelector('input[name="sequence"]');
  function save() {
    sequence.value = String(Date.now());
    fetch(form.action || window.location.href, {
      method: "POST", body: new FormData(form), headers: {"X-Autosave": "1"}, credentials: "same-origin",
    }).then(function (response) {
      if (status) status.textContent = response.ok ? status.dataset.saved : status.dataset.refused;
    }).catch(function () {
      if (status) status.textContent = status.dataset.offline;
    });
  }
  form.addEventListener("change", save);
  form.addEventListener("submit", function () { sequence.value = String(Date.now()); });
})();

// The time left, counted from the server's figure (the page's clock may be wrong): shown every second in a
// role="timer" (not announced), and announced politely at 10, 5 and 1 minutes and at the end only. The
// server enforces the deadline whatever this shows.
(function () {
  "use strict";
  var box = document.getElementById("quiz-timer");
  var status = document.getElementById("timer-status");
  if (!box || !status) return;
  var clock = box.querySelector("[data-clock]");
  var end = Date.now() + Number(box.dataset.seconds) * 1000;
  var thresholds = [600, 300, 60, 0];
  var previous = Number(box.dataset.seconds) + 1;
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var hours = Math.floor(left / 3600), minutes = Math.floor((left % 3600) / 60), seconds = left % 60;
    clock.textContent = (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(seconds);
    var crossed = thresholds.filter(function (t) { return previous > t && left <= t; });
    if (crossed.length) status.textContent = status.dataset["t" + crossed[crossed.length - 1]];
    previous = left;
    if (left > 0) window.setTimeout(tick, 1000);
  }
  box.hidden = false;
  tick();
})();
