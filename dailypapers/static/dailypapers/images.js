// Hide an image that fails to load (a dead thumbnail or avatar link) instead of showing a
// broken-image box. The Content-Security-Policy forbids inline onerror= handlers, so one
// listener does it for the page. `error` events do not bubble: listen in the capture phase.
// Loaded in <head> without defer so it is listening before the first <img> is parsed.
document.addEventListener(
  "error",
  function (event) {
    var target = event.target;
    if (!(target instanceof HTMLImageElement)) return;
    var box = target.closest("[data-hide-if-broken]");
    if (box) box.hidden = true;
  },
  true
);
