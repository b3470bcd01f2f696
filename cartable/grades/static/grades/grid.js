/* Mark-entry grid: arrow keys move between cells, Enter moves down, pasting a column from a spreadsheet
   fills the cells downward. Without this script the grid is a plain form. */
(function () {
  "use strict";
  function setup(form) {
    var cells = Array.prototype.slice.call(form.querySelectorAll(".grade-cell"));
    function at(row, col) {
      return form.querySelector('.grade-cell[data-row="' + row + '"][data-col="' + col + '"]');
    }
    function go(cell, dRow, dCol) {
      var target = at(Number(cell.dataset.row) + dRow, Number(cell.dataset.col) + dCol);
      if (!target) { return false; }
      target.focus();
      if (target.select && target.tagName === "INPUT") { target.select(); }
      return true;
    }
    cells.forEach(function (cell) {
      var isText = cell.tagName === "INPUT";
      cell.addEventListener("keydown", function (event) {
        if (event.altKey || event.ctrlKey || event.metaKey) { return; }
        var moved = false;
        if (event.key === "Enter" && isText) {
          event.preventDefault();
          moved = go(cell, event.shiftKey ? -1 : 1, 0);
          return;
        }
        if (isText && event.key === "ArrowDown") { moved = go(cell, 1, 0); }
        else if (isText && event.key === "ArrowUp") { moved = go(cell, -1, 0); }
        else if (event.key === "ArrowLeft" && (!isText || cell.selectionStart === 0 && cell.selectionEnd === 0)) { moved = go(cell, 0, -1); }
        else if (event.key === "ArrowRight" && (!isText || cell.selectionEnd === cell.value.length)) { moved = go(cell, 0, 1); }
        if (moved) { event.preventDefault(); }
      });
      if (!isText) { return; }
      cell.addEventListener("paste", function (event) {
        var data = (event.clipboardData || window.clipboardData);
        if (!data) { return; }
        var lines = data.getData("text").replace(/\r/g, "").split("\n");
        while (lines.length && lines[lines.length - 1].trim() === "") { lines.pop(); }
        if (lines.length < 2 && lines.join("").indexOf("\t") === -1) { return; }
        event.preventDefault();
        var row = Number(cell.dataset.row), col = Number(cell.dataset.col), last = cell;
        lines.forEach(function (line, i) {
          var target = at(row + i, col);
          if (!target || target.tagName !== "INPUT") { return; }
          target.value = line.split("\t")[0].trim();
          target.dispatchEvent(new Event("input", { bubbles: true }));
          last = target;
        });
        last.focus();
      });
    });
  }
  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-grade-grid]"), setup);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
