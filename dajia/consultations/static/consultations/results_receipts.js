// Receipt lookup on the published ranking: an evaluator types the code their phone showed them.
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  function normalise(text) { return text.toUpperCase().replace(/[\s-]/g, ""); }
  ready(function () {
    var input = document.querySelector("input[data-receipts]");
    if (!input) return;
    var list = document.getElementById(input.getAttribute("data-receipts"));
    var status = document.getElementById("receipt-status");
    var items = Array.prototype.slice.call(list.querySelectorAll("li"));
    var details = document.getElementById("receipt-details");
    input.addEventListener("input", function () {
      var query = normalise(input.value);
      if (details && query) details.open = true;
      var exact = false;
      items.forEach(function (li) {
        var code = normalise(li.textContent);
        var show = !query || code.indexOf(query) !== -1;
        li.hidden = !show;
        var match = query.length >= 8 && code === query;
        li.classList.toggle("match", match);
        exact = exact || match;
      });
      if (!query) status.textContent = "";
      else if (query.length >= 8) status.textContent = status.getAttribute(exact ? "data-found" : "data-missing");
      else status.textContent = "";
    });
  });
})();
