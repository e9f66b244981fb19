/* The template editor: a finding or an error jumps to its line in the header or body box. */
(function () {
  "use strict";

  function selectLine(textarea, line, column) {
    var lines = textarea.value.split("\n");
    var index = Math.min(Math.max(line, 1), lines.length) - 1;
    var start = 0;
    for (var i = 0; i < index; i++) start += lines[i].length + 1;
    var end = start + lines[index].length;
    var caret = column ? Math.min(start + column - 1, end) : start;
    textarea.focus();
    textarea.setSelectionRange(caret, end);
    // Scroll the line into view: the box's line height times the lines above it.
    var lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
    textarea.scrollTop = Math.max(0, (index - 3) * lineHeight);
  }

  function jump(item) {
    var part = item.getAttribute("data-part");
    var line = parseInt(item.getAttribute("data-line"), 10);
    var column = parseInt(item.getAttribute("data-column") || "0", 10);
    var textarea = document.getElementById(part === "header" ? "id_header" : "id_body");
    if (textarea && line) selectLine(textarea, line, column);
  }

  document.addEventListener("click", function (event) {
    var item = event.target.closest("[data-part][data-line]");
    if (item && !event.target.closest("a, button")) jump(item);
  });
  document.addEventListener("keydown", function (event) {
    var item = event.target.closest && event.target.closest("[data-part][data-line]");
    if (item && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      jump(item);
    }
  });

  // Leaving the page with unsaved edits asks first (the textareas hold the only copy).
  var dirty = false;
  document.addEventListener("input", function (event) {
    if (event.target.matches("#id_header, #id_body")) dirty = true;
  });
  document.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
