// The server issues the phone's device id as a signed cookie (dajia_device). This keeps a copy of that signed
// value in localStorage and puts it back when only the cookie was cleared, so the same phone still counts
// once. The copy cannot be altered into another id: the server checks the signature.
(function () {
  "use strict";
  var KEY = "dajia-device";
  var VALID = /^[A-Za-z0-9_:-]{40,200}$/;
  function cookie() {
    var m = document.cookie.match(/(?:^|; )dajia_device=([^;]+)/);
    return m ? decodeURIComponent(m[1]).replace(/^"|"$/g, "") : "";
  }
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var stored = "";
    try { stored = window.localStorage.getItem(KEY) || ""; } catch (e) { stored = ""; }
    var current = cookie();
    var reloaded = sessionStorage.getItem("dajia-device-reloaded");
    if (VALID.test(stored) && current !== stored && !reloaded) {
      // The page was drawn for a newly issued id: draw it again for this phone's own. Once only: if the server
      // did not accept the copy (expired), the id it issues instead is kept below.
      sessionStorage.setItem("dajia-device-reloaded", "1");
      document.cookie = "dajia_device=" + stored + "; path=/; max-age=31536000; SameSite=Lax";
      window.location.reload();
    } else if (VALID.test(current) && current !== stored) {
      try { window.localStorage.setItem(KEY, current); } catch (e) { /* private mode: the cookie still works */ }
    }
  });
})();
