// Render LaTeX in titles and abstracts with the vendored KaTeX (no CDN, no build step):
// on load, and in whatever htmx swaps in later (live search results).
(function () {
  var delimiters = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "$", right: "$", display: false },
    { left: "\\(", right: "\\)", display: false },
  ];

  function render(root) {
    if (typeof renderMathInElement !== "function") return;
    root.querySelectorAll(".math").forEach(function (el) {
      renderMathInElement(el, { delimiters: delimiters, throwOnError: false });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    render(document);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    render(event.detail.target);
  });
})();
