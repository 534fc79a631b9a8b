/* Presentation timers: every [data-timer] counts down from data-started + data-minutes.
 * data-now is the server's clock when the element was rendered, so a projector laptop with a wrong clock
 * still shows the right time left. Works across htmx swaps (it looks the elements up on every tick). */
(function () {
  "use strict";
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var nodes = document.querySelectorAll("[data-timer]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var started = Date.parse(el.getAttribute("data-started"));
      var minutes = parseFloat(el.getAttribute("data-minutes") || "0");
      if (isNaN(started)) { el.textContent = "--:--"; continue; }
      if (!el.hasAttribute("data-offset")) {
        var serverNow = Date.parse(el.getAttribute("data-now") || "");
        el.setAttribute("data-offset", isNaN(serverNow) ? "0" : String(serverNow - Date.now()));
      }
      var now = Date.now() + parseFloat(el.getAttribute("data-offset"));
      var left = Math.round((started + minutes * 60000 - now) / 1000);
      var over = left < 0;
      var s = Math.abs(left);
      el.textContent = (over ? "+" : "") + pad(Math.floor(s / 60)) + ":" + pad(s % 60);
      el.classList.toggle("over", over);
      el.classList.toggle("soon", !over && left <= 60);
    }
  }
  tick();
  window.setInterval(tick, 250);
  document.addEventListener("htmx:afterSwap", tick);
})();
