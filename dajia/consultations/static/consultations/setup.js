/* Small helpers of the set-up pages (no inline scripts: the CSP forbids them). */
(function () {
  "use strict";
  document.querySelectorAll("[data-check-all]").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var boxes = document.querySelectorAll('input[type=checkbox][name="' + btn.getAttribute("data-check-all") + '"]');
      var allOn = Array.prototype.every.call(boxes, function (b) { return b.checked; });
      boxes.forEach(function (b) { b.checked = !allOn; });
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (btn) {
    btn.addEventListener("click", function () { window.print(); });
  });
})();
