/* Appreciation fields: a live character count under each one (« 212 / 250 caractères »), marked when the
   text is over the limit the report card's PDF cell holds. Without this script the form works the same:
   the server refuses a text too long with its message and keeps what was typed. */
(function () {
  "use strict";
  function update(field) {
    var counter = document.getElementById(field.dataset.counter);
    if (!counter) { return; }
    var max = Number(field.dataset.max);
    var count = field.value.length;
    var template = count > max ? counter.dataset.over : counter.dataset.template;
    counter.textContent = template.replace("__count__", String(count));
    counter.classList.toggle("over", count > max);
  }
  function setup(root) {
    Array.prototype.forEach.call(root.querySelectorAll("textarea[data-counter]"), function (field) {
      var counter = document.getElementById(field.dataset.counter);
      if (counter) { counter.hidden = false; update(field); }
    });
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-counter]")) { update(event.target); }
  });
  // A refused appreciation (400) comes back as its row with the message and what was typed: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.elt;
    if (event.detail.xhr.status === 400 && elt.closest && elt.closest(".reportcards-grid, .council")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) { setup(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setup(document); });
  } else {
    setup(document);
  }
})();
