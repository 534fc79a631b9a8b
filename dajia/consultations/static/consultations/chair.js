/* The chair's console: live events re-render the progress table (debounced); htmx also polls it. */
(function () {
  "use strict";
  var root = document.getElementById("chair-live");
  if (!root) { return; }
  var url = root.getAttribute("data-progress-url");
  var timer = null;
  function refresh() {
    if (timer) { return; }
    timer = window.setTimeout(function () {
      timer = null;
      if (window.htmx) { window.htmx.ajax("GET", url, { target: "#chair-live", swap: "innerHTML" }); }
    }, 250);
  }
  if (window.DajiaLive) {
    window.DajiaLive.listen(
      root.getAttribute("data-channel"), function () { refresh(); }, root.getAttribute("data-live-since")
    );
  }
})();
