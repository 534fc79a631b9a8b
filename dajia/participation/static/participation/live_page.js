/* The public live page: verify with a code, support projects (up to K), comments, live counts.
 * Every form works without this script (plain POST and redirect); with it, the page stays in place and the
 * counts follow the session's live channel (DajiaLive). Data comes from {{ config|json_script:"live-config" }}. */
(function () {
  "use strict";
  var root = document.getElementById("live");
  var source = document.getElementById("live-config");
  if (!root || !source) { return; }
  var config = JSON.parse(source.textContent);
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  function post(url, form) {
    return fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, message: config.texts.network }; })
        .then(function (body) { body.status = response.status; return body; });
    }, function () {
      return { ok: false, status: 0, message: config.texts.network };
    });
  }

  function say(el, text, bad) {
    if (!el) { return; }
    el.textContent = text || "";
    el.classList.toggle("is-error", !!bad);
  }

  // ---- counts ---------------------------------------------------------------------------------------------
  function applyAudience(data) {
    if (!data || !data.entries) { return; }
    var most = 0;
    data.entries.forEach(function (e) { most = Math.max(most, e.supports); });
    data.entries.forEach(function (e) {
      var id = String(e.entry_id);
      document.querySelectorAll('[data-count="' + id + '"]').forEach(function (el) { el.textContent = e.supports; });
      document.querySelectorAll('[data-share="' + id + '"]').forEach(function (el) { el.textContent = e.share; });
      var row = document.querySelector('[data-audience-entry="' + id + '"]');
      if (row) {
        var n = row.querySelector("[data-a-count]");
        var s = row.querySelector("[data-a-share]");
        var bar = row.querySelector(".a-bar span");
        if (n) { n.textContent = e.supports; }
        if (s) { s.textContent = e.share; }
        if (bar) { bar.style.width = (most ? Math.round(100 * e.supports / most) : 0) + "%"; }
      }
    });
    document.querySelectorAll("[data-a-viewers]").forEach(function (el) { el.textContent = data.viewers; });
    document.querySelectorAll("[data-a-total]").forEach(function (el) { el.textContent = data.total_supports; });
  }

  function refreshAudience() {
    fetch(config.urls.audience, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(applyAudience, function () {});
  }

  // ---- supports -------------------------------------------------------------------------------------------
  var supportStatus = document.getElementById("support-status");

  function applySupported(ids, remaining) {
    config.supported = ids;
    document.querySelectorAll("[data-support-button]").forEach(function (button) {
      var id = parseInt(button.getAttribute("data-support-button"), 10);
      var on = ids.indexOf(id) !== -1;
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.classList.toggle("secondary", on);
      var label = button.querySelector("[data-label]");
      if (label) { label.textContent = on ? config.texts.supported : config.texts.support; }
      var form = button.form;
      if (form && form.elements.action) { form.elements.action.value = on ? "remove" : "add"; }
      var item = button.closest(".agenda-item");
      if (item) { item.classList.toggle("is-supported", on); }
    });
    if (supportStatus && typeof remaining === "number") {
      say(supportStatus, remaining > 0 ? format(config.texts.remaining, { n: remaining })
        : format(config.texts.full, { k: config.limit }));
    }
  }

  function bindSupportForms(scope) {
    scope.querySelectorAll("form.support-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("button");
        if (button) { button.disabled = true; }
        post(config.urls.support, form).then(function (body) {
          if (button) { button.disabled = !config.open; }
          if (body.ok) {
            applySupported(body.supported, body.remaining);
            applyAudience(body.audience);
          } else {
            var target = supportStatus || document.getElementById("verify-status");
            say(target, body.message, true);
            if (body.status === 403) {
              var mobile = document.getElementById("v-mobile");
              if (mobile) { mobile.focus(); }
            }
          }
        });
      });
    });
  }
  bindSupportForms(document);

  // ---- verification ---------------------------------------------------------------------------------------
  var codeForm = document.getElementById("code-form");
  var verifyForm = document.getElementById("verify-form");
  var verifyStatus = document.getElementById("verify-status");
  if (codeForm && verifyForm) {
    var mobileInput = document.getElementById("v-mobile");
    var codeButton = document.getElementById("code-button");
    var hiddenMobile = document.getElementById("verify-mobile");
    hiddenMobile.value = mobileInput.value;
    mobileInput.addEventListener("input", function () { hiddenMobile.value = mobileInput.value; });
    var cooldown = function (seconds) {
      codeButton.disabled = true;
      var left = seconds;
      var tick = function () {
        if (left <= 0) { codeButton.disabled = false; codeButton.textContent = config.texts.again; return; }
        codeButton.textContent = format(config.texts.wait, { s: left });
        left -= 1;
        window.setTimeout(tick, 1000);
      };
      tick();
    };
    codeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      hiddenMobile.value = mobileInput.value;
      codeButton.disabled = true;
      post(config.urls.code, codeForm).then(function (body) {
        codeButton.disabled = false;
        mobileInput.setAttribute("aria-invalid", body.ok ? "false" : "true");
        say(verifyStatus, body.message, !body.ok);
        if (body.ok) {
          cooldown(60);
          document.getElementById("v-code").focus();
        }
      });
    });
    verifyForm.addEventListener("submit", function (event) {
      event.preventDefault();
      hiddenMobile.value = mobileInput.value;
      post(config.urls.verify, verifyForm).then(function (body) {
        say(verifyStatus, body.message, !body.ok);
        if (body.ok) {
          // The page is drawn again as verified (its forms, the viewer's supports and comments).
          window.location.reload();
        }
      });
    });
  }

  // ---- comments -------------------------------------------------------------------------------------------
  var commentForm = document.getElementById("comment-form");
  if (commentForm) {
    commentForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = document.getElementById("comment-status");
      post(config.urls.comments, commentForm).then(function (body) {
        say(status, body.message, !body.ok);
        if (body.ok) { commentForm.reset(); }
        document.body.dispatchEvent(new CustomEvent("dajia-comments"));
      });
    });
  }

  // ---- live -----------------------------------------------------------------------------------------------
  var agendaTimer = null;
  function refreshAgenda() {
    if (agendaTimer) { return; }
    agendaTimer = window.setTimeout(function () {
      agendaTimer = null;
      fetch(config.urls.agenda, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          var body = document.getElementById("agenda-body");
          if (html && body) {
            body.innerHTML = html;
            bindSupportForms(body);
          }
        }, function () {});
    }, 400);
  }
  var commentsTimer = null;
  function refreshComments() {
    if (commentsTimer) { return; }
    commentsTimer = window.setTimeout(function () {
      commentsTimer = null;
      document.body.dispatchEvent(new CustomEvent("dajia-comments"));
    }, 500);
  }
  if (window.DajiaLive) {
    window.DajiaLive.listen(config.channel, function (event, data) {
      if (event === "audience") {
        applyAudience(data);
      } else if (event === "comments") {
        refreshComments();
      } else if (event === "session") {
        config.open = data.state === "open";
        refreshAgenda();
      } else if (event === "stage" || event === "agenda" || event === "window") {
        refreshAgenda();
      }
    }, config.since);
  }
  // A slow safety net: the counts come back right even if some events were missed.
  window.setInterval(refreshAudience, 30000);
})();
