// Mes documents, progressive enhancements of the upload form (the form works without them):
// - drag and drop: dropped files are sent like the ones chosen in the picker;
// - resumable uploads: each file is declared first (refused before anything is sent when too large or over
//   the quota), then sent in chunks of 5 MiB; after a dropped connection the upload asks the server's offset
//   and goes on from there. The protocol is described in cartable/documents/resumable.py.
(function () {
  "use strict";
  var RETRIES = 8;

  function csrf(form) {
    var field = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return field ? field.value : "";
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function json(response) {
    return response.json().then(function (body) { body.status = response.status; return body; });
  }

  function sendFrom(form, file, url, offset, chunk, tries) {
    if (offset >= file.size) return Promise.resolve({ done: true });
    var end = Math.min(offset + chunk, file.size);
    return fetch(url, {
      method: "PATCH",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(form), "Upload-Offset": String(offset), "Content-Type": "application/octet-stream" },
      body: file.slice(offset, end)
    }).then(json).then(function (body) {
      if (body.status === 409 || (body.status === 200 && !body.done)) {
        report(form, file.name, body.offset, file.size);
        return body.done ? body : sendFrom(form, file, url, body.offset, chunk, 0);
      }
      return body;
    }, function () {
      // The connection dropped: ask the server where it stands, then go on from there.
      if (tries >= RETRIES) throw new Error("network");
      return wait(500 * (tries + 1)).then(function () {
        return fetch(url, { credentials: "same-origin" }).then(json).then(function (state) {
          return sendFrom(form, file, url, state.offset, chunk, tries + 1);
        }, function () { return sendFrom(form, file, url, offset, chunk, tries + 1); });
      });
    });
  }

  function report(form, name, offset, size) {
    var status = form.querySelector("[data-upload-status]");
    var bar = form.querySelector("progress");
    if (bar) { bar.hidden = false; bar.max = size; bar.value = offset; }
    if (status) status.textContent = name + " : " + Math.floor((100 * offset) / size) + " %";
  }

  function sendOne(form, file) {
    var data = new FormData();
    data.append("name", file.name);
    data.append("size", String(file.size));
    if (form.dataset.folder) data.append("folder", form.dataset.folder);
    data.append("csrfmiddlewaretoken", csrf(form));
    return fetch(form.dataset.startUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(json)
      .then(function (body) {
        if (body.status !== 201) return body;  // refused before sending: too large, over quota
        report(form, file.name, 0, file.size);
        return sendFrom(form, file, body.url, 0, body.chunk_size, 0);
      });
  }

  function sendAll(form, files) {
    var errors = [];
    var alert = form.querySelector("[data-upload-errors]");
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      chain = chain.then(function () { return sendOne(form, file); }).then(function (body) {
        if (body.error) errors.push(body.error);
      }, function () { errors.push(file.name + form.dataset.networkError); });
    });
    return chain.then(function () {
      if (!errors.length) { window.location.reload(); return; }
      alert.hidden = false;
      alert.querySelector("ul").innerHTML = "";
      errors.forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        alert.querySelector("ul").appendChild(item);
      });
      alert.focus();
    });
  }

  function enhance(form) {
    var input = form.querySelector('input[type="file"]');
    if (!input) return;
    var resumable = !!(window.fetch && window.FormData && window.Blob && Blob.prototype.slice && form.dataset.startUrl);
    if (resumable) {
      form.addEventListener("submit", function (event) {
        if (!input.files.length) return;
        event.preventDefault();
        sendAll(form, input.files);
      });
    }
    if (typeof DataTransfer === "undefined") return;
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
      if (resumable) { sendAll(form, files); return; }
      var list = new DataTransfer();
      for (var i = 0; i < files.length; i++) list.items.add(files[i]);
      input.files = list.files;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }

  function start() { document.querySelectorAll("form[data-dropzone]").forEach(enhance); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
