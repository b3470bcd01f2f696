// Mes documents: drag and drop onto the upload form, as a progressive enhancement of its file picker.
// Dropped files are put into the form's <input type="file" multiple> and the form is sent as usual.
(function () {
  "use strict";
  function enhance(form) {
    var input = form.querySelector('input[type="file"]');
    if (!input || typeof DataTransfer === "undefined") return;
    form.classList.add("documents-drop-ready");
    ["dragenter", "dragover"].forEach(function (name) {
      form.addEventListener(name, function (event) {
        event.preventDefault();
        form.classList.add("documents-drop-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      form.addEventListener(name, function () { form.classList.remove("documents-drop-over"); });
    });
    form.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      var list = new DataTransfer();
      for (var i = 0; i < files.length; i++) list.items.add(files[i]);
      input.files = list.files;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }
  function start() {
    document.querySelectorAll("form[data-dropzone]").forEach(enhance);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
