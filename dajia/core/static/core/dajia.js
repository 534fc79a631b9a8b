// Site-wide behaviour, kept out of the templates so the Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var toggle = document.querySelector(".nav-toggle");
    var nav = document.getElementById("site-nav");
    if (toggle && nav) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }
    // One navigation group open at a time; a click elsewhere or Escape closes it.
    var groups = document.querySelectorAll(".nav-group details");
    groups.forEach(function (d) {
      d.addEventListener("toggle", function () {
        if (d.open) groups.forEach(function (o) { if (o !== d) o.open = false; });
      });
    });
    document.addEventListener("click", function (e) {
      groups.forEach(function (d) { if (d.open && !d.contains(e.target) && window.innerWidth >= 900) d.open = false; });
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") groups.forEach(function (d) { d.open = false; });
    });
    document.querySelectorAll("[data-toggle-large-text]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var on = document.documentElement.classList.toggle("large-text");
        btn.setAttribute("aria-pressed", on ? "true" : "false");
        document.cookie = "dajia_large_text=" + (on ? "1" : "0") + "; path=/; max-age=31536000; SameSite=Lax";
      });
    });
    // One confirmation for every irreversible action: data-confirm on the button (or link). Delegated, so
    // buttons swapped in by htmx ask too; cancelling the click also stops the form's (htmx) submission.
    document.addEventListener("click", function (e) {
      var el = e.target.closest ? e.target.closest("[data-confirm]") : null;
      if (el && !el.disabled && !window.confirm(el.getAttribute("data-confirm"))) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    }, true);
    // Copy buttons next to long digests, links and codes (core/_copyable.html); the text stays selectable too.
    function selectAndCopy(el) {
      var range = document.createRange();
      range.selectNodeContents(el);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      try { return document.execCommand("copy"); } catch (err) { return false; }  // left selected for a long press
    }
    document.addEventListener("click", function (e) {
      var btn = e.target.closest ? e.target.closest("[data-copy]") : null;
      var box = btn ? btn.closest(".copyable") : null;
      var text = box ? box.querySelector(".copyable-text") : null;
      if (!text) return;
      var status = box.querySelector(".copy-status");
      var done = function () { if (status) status.textContent = btn.getAttribute("data-copied") || ""; };
      var fallback = function () { if (selectAndCopy(text)) done(); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text.textContent.trim()).then(done, fallback);
      } else { fallback(); }
    });
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      document.body.addEventListener("htmx:configRequest", function (e) { e.detail.headers["X-CSRFToken"] = meta.content; });
    }
  });
})();
