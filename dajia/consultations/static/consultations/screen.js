/* The big screen: every live event on the session's channel re-fetches the small progress partial (counts
 * and states only), debounced so a burst of 28 sheets costs a couple of requests. Never needs a reload. */
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) { return; }
  var url = root.getAttribute("data-progress-url");
  var timer = null;
  var lastState = null;
  function refresh() {
    if (timer) { return; }
    timer = window.setTimeout(function () {
      timer = null;
      if (window.htmx) {
        window.htmx.ajax("GET", url, { target: "#screen-progress", swap: "innerHTML" });
      }
    }, 200);
  }
  if (window.DajiaLive) {
    window.DajiaLive.listen(
      root.getAttribute("data-channel"), function () { refresh(); }, root.getAttribute("data-live-since")
    );
  }
  // Safety net if the live stream is down for longer than its own polling fallback covers.
  window.setInterval(refresh, window.DajiaLive ? 15000 : 3000);
  document.addEventListener("htmx:afterSwap", function () {
    var state = document.querySelector("[data-state]");
    if (state) { lastState = state.getAttribute("data-state"); root.setAttribute("data-session-state", lastState); }
  });
})();
