/* Dajia live events client.
 *
 *   DajiaLive.listen("session-12", function (event, data, id) { ... }, since);   // returns {close: fn}
 *
 * ``since`` is the newest event id when the page's server read the state it shows (the page's
 * data-live-since, ``dajia.live.pages``): the client starts after it, so an event committed between the
 * page's render and the stream's first answer is delivered rather than lost. Without it (absent, "" or not a
 * number) the client starts from the server's newest event.
 *
 * Uses EventSource on /live/<channel>/events, on the origin named by <meta name="dajia-live-url"> when the
 * page has one ("" or absent: this site; ":8001": this page's host on port 8001; else an origin — see
 * docs/DEPLOY.md). The server sends every event as a default ("message") SSE event whose data is
 * {"event": name, "data": {...}}, so one onmessage handler sees every event name.
 * After repeated failures (or without EventSource) it polls /live/<channel>/poll every 2 s, and tries the
 * stream again now and then. The connection state is shown on <body data-live-state="live|polling|offline">.
 * Events carry absolute state: a handler may see the same event twice after a reconnect (deduplicated here
 * for the last few hundred ids), and must be harmless when it does.
 */
(function () {
  "use strict";

  var POLL_MS = 2000;
  var SSE_FAILURES_BEFORE_POLLING = 3;
  var RETRY_SSE_AFTER_POLLS = 30; // while polling, try the stream again about once a minute
  var REMEMBERED_IDS = 300;

  function setState(state) {
    if (document.body) {
      document.body.setAttribute("data-live-state", state);
    }
  }

  function liveOrigin() {
    var meta = document.querySelector('meta[name="dajia-live-url"]');
    var url = meta ? meta.getAttribute("content") || "" : "";
    if (url.charAt(0) === ":") {
      url = window.location.protocol + "//" + window.location.hostname + url;
    }
    return url.replace(/\/+$/, "");
  }

  function startingId(since) {
    if (typeof since === "number") {
      return since >= 0 && Math.floor(since) === since ? since : null;
    }
    return typeof since === "string" && /^[0-9]{1,15}$/.test(since) ? parseInt(since, 10) : null;
  }

  function listen(channel, handler, since) {
    var base = liveOrigin() + "/live/" + encodeURIComponent(channel);
    var lastId = startingId(since);
    var recent = [];
    var source = null;
    var pollTimer = null;
    var failures = 0;
    var polls = 0;
    var closed = false;

    function deliver(id, name, data) {
      if (id !== null) {
        if (recent.indexOf(id) !== -1) {
          return;
        }
        recent.push(id);
        if (recent.length > REMEMBERED_IDS) {
          recent.shift();
        }
        if (lastId === null || id > lastId) {
          lastId = id;
        }
      }
      try {
        handler(name, data, id);
      } catch (err) {
        if (window.console) {
          window.console.error("DajiaLive handler failed", err);
        }
      }
    }

    function startStream() {
      if (closed) {
        return;
      }
      if (!window.EventSource) {
        startPolling();
        return;
      }
      source = new window.EventSource(base + "/events" + (lastId !== null ? "?last_id=" + lastId : ""));
      source.onopen = function () {
        failures = 0;
        setState("live");
      };
      source.onmessage = function (e) {
        var envelope;
        try {
          envelope = JSON.parse(e.data);
        } catch (err) {
          return;
        }
        var id = e.lastEventId ? parseInt(e.lastEventId, 10) : null;
        deliver(isNaN(id) ? null : id, envelope.event, envelope.data || {});
      };
      source.onerror = function () {
        // A WSGI server ends each stream (at once under dajia serve's gunicorn, after a minute under
        // runserver) and EventSource reconnects by itself after `retry`: one error after an open is normal.
        // Several in a row without an open in between mean the stream does not get through.
        failures += 1;
        if (source.readyState === window.EventSource.CLOSED || failures >= SSE_FAILURES_BEFORE_POLLING) {
          source.close();
          source = null;
          startPolling();
        } else if (failures > 1) {
          setState("offline");
        }
      };
    }

    function pollOnce() {
      if (closed) {
        return;
      }
      var url = base + "/poll" + (lastId !== null ? "?last_id=" + lastId : "");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (body) {
          setState("polling");
          (body.events || []).forEach(function (ev) {
            deliver(ev.id, ev.event, ev.data || {});
          });
          if (lastId === null || body.last_id > lastId) {
            lastId = body.last_id;
          }
        })
        .catch(function () {
          setState("offline");
        })
        .then(function () {
          if (closed) {
            return;
          }
          polls += 1;
          if (window.EventSource && polls % RETRY_SSE_AFTER_POLLS === 0) {
            pollTimer = null;
            failures = 0;
            startStream();
          } else {
            pollTimer = window.setTimeout(pollOnce, POLL_MS);
          }
        });
    }

    function startPolling() {
      if (!closed && pollTimer === null) {
        setState("polling");
        pollTimer = window.setTimeout(pollOnce, 0);
      }
    }

    startStream();
    return {
      close: function () {
        closed = true;
        if (source) {
          source.close();
        }
        if (pollTimer !== null) {
          window.clearTimeout(pollTimer);
        }
      },
    };
  }

  window.DajiaLive = { listen: listen };
})();
