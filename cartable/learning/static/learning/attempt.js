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
