// The attendee's phone keeps one id in localStorage and mirrors it in the dajia_device cookie, so the same
// phone signing in twice counts once even when one of the two was cleared.
(function () {
  "use strict";
  var KEY = "dajia-device";
  var VALID = /^[A-Za-z0-9_-]{16,64}$/;
  function cookie() {
    var m = document.cookie.match(/(?:^|; )dajia_device=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var stored = "";
    try { stored = window.localStorage.getItem(KEY) || ""; } catch (e) { stored = ""; }
    var current = cookie();
    if (VALID.test(stored)) {
      document.querySelectorAll("input[name=device]").forEach(function (i) { i.value = stored; });
      if (current !== stored) {
        document.cookie = "dajia_device=" + stored + "; path=/; max-age=31536000; SameSite=Lax";
        // The page was drawn for another id: draw it again for this phone's own.
        if (!sessionStorage.getItem("dajia-device-reloaded")) {
          sessionStorage.setItem("dajia-device-reloaded", "1");
          window.location.reload();
        }
      }
    } else if (VALID.test(current)) {
      try { window.localStorage.setItem(KEY, current); } catch (e) { /* private mode: the cookie still works */ }
    }
  });
})();
