/* The evaluator's phone page.
 *
 * Venue Wi-Fi fails, so a sheet is never lost: before it is sent it is written to localStorage (the "outbox",
 * key dajia.outbox.<token>.<entry>.<submission_id>), and it stays there until the server has answered with a
 * receipt. Unsent sheets are sent again when the connection returns (the "online" event, the page becoming
 * visible again, and a backoff timer). The same submission_id is reused for every retry of one submission, so
 * the server's idempotent submit turns a retry after a lost answer into "here is your receipt again"; editing
 * after a successful send creates a new submission_id, which the server records as an amendment with a new
 * receipt. The page always says whether the sheet has reached the server.
 *
 * The token in the URL is the only credential (the endpoints are CSRF-exempt for that reason, see
 * views_evaluator.py). The page never receives anyone else's scores.
 */
(function () {
  "use strict";

  // ---- the score grammar ------------------------------------------------------------------------------
  // The phone's copy of dajia/scoring/grammar.py, so a typo is shown before the sheet is sent; the server
  // reads the sheet again with the Python one. consultations/tests/test_score_grammar_browser.py runs one table
  // of cases through both and fails when they disagree, so change them together.
  var DajiaScore = (function () {
    var SCORE_RE = /^[0-9]+(\.[0-9])?$/;
    var TOO_PRECISE_RE = /^[0-9]+\.[0-9]{2,}$/;
    var UNIT_RE = /^[0-9]+(\.[0-9])?[ \t\n\r\f\v]*(分|points?|pts?)$/i;
    // Python's str.strip() characters, not String.prototype.trim(): trim() also strips U+FEFF but not
    // U+001C–U+001F or U+0085, and the two sides must read the same text.
    var WS = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
    var TRIM_RE = new RegExp("^" + WS + "+|" + WS + "+$", "g");
    function clean(value) {
      var text = String(value === null || value === undefined ? "" : value);
      return (text.normalize ? text.normalize("NFKC") : text).replace(TRIM_RE, "");
    }
    // Why a typed score is refused ("decimals", "unit", "negative", "format", "above_max"), or "" when it
    // reads (a blank reads as "not scored"). ``max`` is the criterion's maximum as text ("30", "12.5").
    function reason(value, max) {
      var text = clean(value);
      if (text === "") { return ""; }
      if (!SCORE_RE.test(text)) {
        if (TOO_PRECISE_RE.test(text)) { return "decimals"; }
        if (UNIT_RE.test(text) || text.charAt(text.length - 1) === "分") { return "unit"; }
        if (text.charAt(0) === "-") { return "negative"; }
        return "format";
      }
      if (max !== undefined && max !== null && parseFloat(text) > parseFloat(max)) { return "above_max"; }
      return "";
    }
    // A score in tenths of a point (18.5 → 185), or null when blank or not a score.
    function tenths(value) {
      var text = clean(value);
      return SCORE_RE.test(text) ? Math.round(parseFloat(text) * 10) : null;
    }
    return { clean: clean, reason: reason, tenths: tenths };
  })();
  window.DajiaScore = DajiaScore;

  var root = document.getElementById("evaluator");
  if (!root) { return; }
  var T = JSON.parse(document.getElementById("ev-strings").textContent);
  var token = root.getAttribute("data-token");
  var OUTBOX = "dajia.outbox." + token + ".";
  var SENT = "dajia.sent." + token + ".";
  var DRAFT = "dajia.draft." + token + ".";
  var sending = {};
  var retryTimer = null;
  var backoff = 2000;

  // ---- storage ----------------------------------------------------------------------------------------
  function storage() { try { return window.localStorage; } catch (e) { return null; } }
  function load(key) {
    var s = storage();
    if (!s) { return null; }
    try { return JSON.parse(s.getItem(key)); } catch (e) { return null; }
  }
  function save(key, value) {
    var s = storage();
    if (s) { try { s.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full: the send still happens */ } }
  }
  function drop(key) { var s = storage(); if (s) { try { s.removeItem(key); } catch (e) { /* ignore */ } } }
  function outboxKeys(entryId) {
    var s = storage();
    var prefix = OUTBOX + (entryId === undefined ? "" : entryId + ".");
    var keys = [];
    if (!s) { return keys; }
    for (var i = 0; i < s.length; i++) {
      var k = s.key(i);
      if (k && k.indexOf(prefix) === 0) { keys.push(k); }
    }
    return keys;
  }
  // Kept in memory too, so a phone with storage disabled still retries while the page is open.
  var memoryOutbox = {};
  function pendingFor(entryId) {
    var keys = outboxKeys(entryId);
    if (keys.length) { return load(keys[0]); }
    return memoryOutbox[entryId] || null;
  }
  function clearOutbox(entryId) {
    outboxKeys(entryId).forEach(drop);
    delete memoryOutbox[entryId];
  }
  function putOutbox(entryId, item) {
    clearOutbox(entryId); // only the latest submission for a project matters
    memoryOutbox[entryId] = item;
    save(OUTBOX + entryId + "." + item.submission_id, item);
  }

  function newId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes); // works over plain http at a venue, unlike randomUUID
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function fmt(template, params) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return params[k] !== undefined ? params[k] : ""; });
  }

  // ---- one project's form -------------------------------------------------------------------------------
  function sections() { return Array.prototype.slice.call(root.querySelectorAll("[data-entry]")); }
  function sectionFor(entryId) { return root.querySelector('[data-entry="' + entryId + '"]'); }
  function inputs(section) { return Array.prototype.slice.call(section.querySelectorAll("[data-criterion]")); }
  function values(section) {
    var out = {};
    inputs(section).forEach(function (input) { out[input.getAttribute("data-criterion")] = input.value; });
    return out;
  }
  var norm = DajiaScore.clean;
  function sameValues(a, b) {
    if (!a || !b) { return false; }
    var keys = Object.keys(a).concat(Object.keys(b));
    for (var i = 0; i < keys.length; i++) { if (norm(a[keys[i]]) !== norm(b[keys[i]])) { return false; } }
    return true;
  }
  function setFieldValues(section, vals) {
    inputs(section).forEach(function (input) {
      var k = input.getAttribute("data-criterion");
      if (vals && Object.prototype.hasOwnProperty.call(vals, k)) { input.value = vals[k]; }
    });
  }

  function check(input) {
    var max = input.getAttribute("data-max");
    var why = DajiaScore.reason(input.value, max);
    if (!why) { return ""; }
    var p = { name: input.getAttribute("data-name"), max: max, value: DajiaScore.clean(input.value) };
    return fmt(T.score_refusals[why] || T.score_refusals.format, p);
  }
  function showError(section, criterionId, message) {
    var el = section.querySelector('[data-error="' + criterionId + '"]');
    var input = section.querySelector('[data-criterion="' + criterionId + '"]');
    if (el) { el.textContent = message || ""; }
    if (input) {
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
  }
  function updateTotal(section) {
    var tenths = 0;
    inputs(section).forEach(function (input) {
      tenths += DajiaScore.tenths(input.value) || 0;
    });
    var total = section.querySelector("[data-total]");
    if (total) { total.textContent = (tenths % 10 === 0) ? String(tenths / 10) : (tenths / 10).toFixed(1); }
  }
  function setStatus(section, kind, text) {
    var el = section.querySelector("[data-status]");
    if (!el) { return; }
    el.className = "send-status " + kind;
    el.textContent = text;
  }
  function markDone(entryId, done) {
    var mark = root.querySelector('[data-done="' + entryId + '"]');
    if (mark) { mark.hidden = !done; }
  }
  function showReceipt(section, receipt) {
    setStatus(section, "sent", fmt(T.sent, { code: receipt }));
    markDone(section.getAttribute("data-entry"), true);
    var box = section.querySelector("[data-conflict-box]");
    if (box) { box.hidden = true; }
  }

  // ---- sending ------------------------------------------------------------------------------------------
  function sheetUrl(entryId) { return root.getAttribute("data-sheet-url").replace("ENTRY", entryId); }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, backoff);
    backoff = Math.min(backoff * 2, 30000);
  }

  function send(entryId) {
    var section = sectionFor(entryId);
    var item = pendingFor(entryId);
    if (!section || !item || sending[entryId]) { return; }
    sending[entryId] = true;
    setStatus(section, "sending", T.sending);
    var controller = window.AbortController ? new AbortController() : null;
    var timeout = window.setTimeout(function () { if (controller) { controller.abort(); } }, 15000);
    fetch(sheetUrl(entryId), {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ submission_id: item.submission_id, scores: item.scores }),
      credentials: "omit",
      cache: "no-store",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { status: response.status, body: body };
      });
    }).then(function (res) {
      window.clearTimeout(timeout);
      sending[entryId] = false;
      var current = pendingFor(entryId);
      var superseded = current && current.submission_id !== item.submission_id;
      if (res.status === 200 && res.body.ok) {
        if (!superseded) { clearOutbox(entryId); }
        save(SENT + entryId, { submission_id: item.submission_id, receipt: res.body.receipt, scores: item.scores });
        drop(DRAFT + entryId);
        backoff = 2000;
        if (superseded) { send(entryId); return; }
        showReceipt(section, res.body.receipt);
        if (!res.body.complete) { setStatus(section, "sent warn", fmt(T.sent, { code: res.body.receipt }) + " " + T.incomplete_note); }
        return;
      }
      if (res.status === 400 || res.status === 409 || res.status === 404 || res.status === 403) {
        // The server read the sheet and refused it: sending it again would not help. The scores stay on screen.
        if (!superseded) { clearOutbox(entryId); }
        var errors = (res.body && res.body.errors) || {};
        Object.keys(errors).forEach(function (cid) { showError(section, cid, errors[cid].join(" ")); });
        var message = (res.body && res.body.message) || T.refused;
        setStatus(section, "refused", T.not_accepted + " " + message);
        if (res.status === 409) { refreshState(); }
        if (superseded) { send(entryId); }
        return;
      }
      throw new Error("status " + res.status);
    }).catch(function () {
      window.clearTimeout(timeout);
      sending[entryId] = false;
      setStatus(section, "pending", T.pending);
      scheduleRetry();
    });
  }

  function flush() {
    var ids = {};
    outboxKeys().forEach(function (k) { ids[k.slice(OUTBOX.length).split(".")[0]] = true; });
    Object.keys(memoryOutbox).forEach(function (k) { ids[k] = true; });
    Object.keys(ids).forEach(function (entryId) { if (sectionFor(entryId)) { send(entryId); } });
  }

  function submit(section) {
    var entryId = section.getAttribute("data-entry");
    var bad = false;
    var blanks = 0;
    inputs(section).forEach(function (input) {
      var message = check(input);
      showError(section, input.getAttribute("data-criterion"), message);
      if (message) { bad = true; }
      if (norm(input.value) === "") { blanks++; }
    });
    if (bad) {
      setStatus(section, "refused", T.fix_first);
      var first = section.querySelector('[aria-invalid="true"]');
      if (first) { first.focus(); }
      return;
    }
    if (blanks === inputs(section).length) { setStatus(section, "refused", T.empty); return; }
    if (blanks && !window.confirm(fmt(T.confirm_blank, { n: blanks }))) { return; }
    var scores = values(section);
    var pending = pendingFor(entryId);
    var sent = load(SENT + entryId);
    var submissionId;
    if (pending && sameValues(pending.scores, scores)) {
      submissionId = pending.submission_id; // a retry of the same submission
    } else if (sent && sameValues(sent.scores, scores)) {
      showReceipt(section, sent.receipt); // nothing changed since it was received
      return;
    } else {
      submissionId = newId(); // a first submission, or an amendment after a successful send
    }
    putOutbox(entryId, { submission_id: submissionId, scores: scores, at: Date.now() });
    send(entryId);
  }

  // ---- conflicts ----------------------------------------------------------------------------------------
  function declareConflict(section) {
    var btn = section.querySelector("[data-conflict-btn]");
    if (!window.confirm(btn.getAttribute("data-confirm-text"))) { return; }
    var reason = section.querySelector("[data-conflict-reason]");
    btn.disabled = true;
    fetch(root.getAttribute("data-conflict-url").replace("ENTRY", section.getAttribute("data-entry")), {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "omit",
      body: JSON.stringify({ reason: reason ? reason.value : "" })
    }).then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); })
      .then(function (res) {
        btn.disabled = false;
        if (res.status === 200) { applyConflict(section, true); } else { setStatus(section, "refused", res.body.message || T.refused); }
      }).catch(function () { btn.disabled = false; setStatus(section, "pending", T.offline_conflict); });
  }
  function applyConflict(section, on) {
    section.setAttribute("data-conflict", on ? "1" : "");
    section.querySelector("[data-conflict-note]").hidden = !on;
    section.querySelector("[data-form]").hidden = on;
    var box = section.querySelector("[data-conflict-box]");
    if (box && on) { box.hidden = true; }
    if (on) { markDone(section.getAttribute("data-entry"), true); }
  }

  // ---- session state (windows, stage, reveal) -----------------------------------------------------------
  function applyWindow(section, windowState) {
    section.setAttribute("data-window", windowState);
    var fs = section.querySelector("[data-fieldset]");
    if (fs) { fs.disabled = windowState !== "scoring"; }
    var note = section.querySelector("[data-window-note]");
    if (note) { note.textContent = T.window_long[windowState] || ""; }
    var label = root.querySelector('[data-window-label="' + section.getAttribute("data-entry") + '"]');
    if (label) { label.textContent = T.window_short[windowState] || ""; }
  }

  function applyState(state) {
    state.entries.forEach(function (e) {
      var section = sectionFor(e.id);
      if (!section) { return; }
      applyWindow(section, e.window);
      var onStage = state.on_stage === e.id;
      section.classList.toggle("is-on-stage", onStage);
      var flag = section.querySelector("[data-stage-flag]");
      if (flag) { flag.hidden = !onStage; }
      var item = root.querySelector('[data-agenda="' + e.id + '"]');
      if (item) { item.classList.toggle("is-on-stage", onStage); }
      if (e.conflict) { applyConflict(section, true); }
      if (e.receipt && !pendingFor(e.id)) {
        var sent = load(SENT + e.id);
        if (!sent || sent.submission_id === e.submission_id) { showReceipt(section, e.receipt); }
      }
    });
    var note = document.getElementById("session-note");
    if (note) {
      note.hidden = state.session_state === "open";
      if (state.session_state !== "open") { note.textContent = T.session_note[state.session_state] || ""; }
    }
    var results = document.getElementById("results-link");
    if (results && state.results_url) {
      results.hidden = false;
      results.querySelector("a").setAttribute("href", state.results_url);
    }
  }

  var refreshTimer = null;
  function refreshState() {
    if (refreshTimer) { return; }
    refreshTimer = window.setTimeout(function () {
      refreshTimer = null;
      fetch(root.getAttribute("data-state-url"), { credentials: "omit", cache: "no-store" })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(applyState)
        .catch(function () { /* offline: the next event or poll tries again */ });
    }, 150);
  }

  function netStatus() {
    var el = document.getElementById("net-status");
    if (!el) { return; }
    if (navigator.onLine === false) { el.hidden = false; el.textContent = T.offline; } else { el.hidden = true; }
  }

  // ---- start --------------------------------------------------------------------------------------------
  sections().forEach(function (section) {
    var entryId = section.getAttribute("data-entry");
    var serverReceipt = section.getAttribute("data-server-receipt");
    var serverSubmission = section.getAttribute("data-server-submission");
    var pending = pendingFor(entryId);
    if (pending && serverSubmission && pending.submission_id === serverSubmission) {
      // It did arrive before the page was reloaded; only the answer was lost.
      clearOutbox(entryId);
      save(SENT + entryId, { submission_id: pending.submission_id, receipt: serverReceipt, scores: pending.scores });
      pending = null;
    }
    var sent = load(SENT + entryId);
    if (serverReceipt && (!sent || sent.submission_id !== serverSubmission)) {
      // The server's sheet is the truth (e.g. the page was opened on another phone): remember it as sent.
      save(SENT + entryId, { submission_id: serverSubmission, receipt: serverReceipt, scores: values(section) });
    }
    var draft = load(DRAFT + entryId);
    if (pending) {
      setFieldValues(section, pending.scores);
      setStatus(section, "pending", T.pending);
    } else if (draft && draft.scores) {
      setFieldValues(section, draft.scores);
      if (serverReceipt && !sameValues(draft.scores, load(SENT + entryId).scores)) {
        setStatus(section, "edited", T.edited);
      } else if (!serverReceipt) {
        setStatus(section, "edited", T.not_sent_yet);
      }
    } else if (serverReceipt) {
      showReceipt(section, serverReceipt);
    }
    updateTotal(section);

    inputs(section).forEach(function (input) {
      input.addEventListener("input", function () {
        showError(section, input.getAttribute("data-criterion"), "");
        updateTotal(section);
        var vals = values(section);
        save(DRAFT + entryId, { scores: vals, at: Date.now() });
        var sentNow = load(SENT + entryId);
        if (!pendingFor(entryId)) {
          if (sentNow && sameValues(sentNow.scores, vals)) { showReceipt(section, sentNow.receipt); }
          else { setStatus(section, "edited", sentNow ? T.edited : T.not_sent_yet); }
        }
      });
      input.addEventListener("blur", function () {
        showError(section, input.getAttribute("data-criterion"), check(input));
      });
    });
    section.querySelector("[data-form]").addEventListener("submit", function (e) {
      e.preventDefault();
      submit(section);
    });
    var conflictBtn = section.querySelector("[data-conflict-btn]");
    if (conflictBtn) { conflictBtn.addEventListener("click", function () { declareConflict(section); }); }
  });

  window.addEventListener("online", function () { backoff = 2000; netStatus(); flush(); refreshState(); });
  window.addEventListener("offline", netStatus);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { flush(); refreshState(); }
  });
  netStatus();
  flush();

  if (window.DajiaLive) {
    window.DajiaLive.listen(root.getAttribute("data-channel"), function (event) {
      if (event !== "progress") { refreshState(); } // counts are for the big screen; phones need states
    }, root.getAttribute("data-live-since"));
  }
  // A slow safety net: the live client already falls back to polling, but the phone must never stay stale.
  window.setInterval(refreshState, window.DajiaLive ? 30000 : 5000);
})();
