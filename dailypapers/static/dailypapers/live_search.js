// The header box's live results (htmx swaps them into #live-results) from the keyboard:
// ArrowDown/ArrowUp move focus along the result links (ArrowUp from the first goes back to the
// box), Enter on a link opens it (the browser's own), Escape or focus leaving the form closes the
// list. The results are a plain list of links, not a listbox: they are links, and focus moving
// onto them tells a screen reader each one. Only the count goes to the live region.
(function () {
  "use strict";

  function setUp(form) {
    var box = form.querySelector("input[type=search]");
    var results = document.getElementById("live-results");
    var status = document.getElementById("live-status");
    if (!box || !results || !status) return;
    // Closed by Escape: a response still in flight must not reopen the list.
    var dismissed = false;

    function links() {
      return Array.prototype.slice.call(results.querySelectorAll("a"));
    }
    function close() {
      results.hidden = true;
    }
    function open() {
      dismissed = false;
      results.hidden = !results.firstElementChild;
    }
    function move(step) {
      var all = links();
      if (!all.length) return;
      var next = all.indexOf(document.activeElement) + step;
      if (next < 0) box.focus();
      else all[Math.min(next, all.length - 1)].focus();
    }

    form.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (results.hidden) open();
        if (results.hidden) return;
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Escape" && !results.hidden) {
        event.preventDefault(); // closes the list; the box keeps its text
        dismissed = true;
        close();
        box.focus();
      }
    });
    form.addEventListener("focusout", function (event) {
      if (!form.contains(event.relatedTarget)) close();
    });
    // A click on a result must not blur the box first (Safari does not focus links on click,
    // so the list would close under the pointer).
    results.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    box.addEventListener("input", function () {
      dismissed = false;
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== results) return;
      var said = results.querySelector("[data-status]");
      status.textContent = said ? said.getAttribute("data-status") : "";
      if (document.activeElement === box && !dismissed) open();
      else close();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("header.site form.search");
    if (form) setUp(form);
  });
})();
