/* The live stream: HLS through the vendored hls.js (Safari and iOS play HLS natively), HTTP-FLV through the
 * vendored mpegts.js. The address is the session's, in data-src; nothing is loaded until the viewer presses play
 * (preload="none"), so a phone on a metered connection pays only for what it watches. */
(function () {
  "use strict";
  var video = document.getElementById("live-video");
  if (!video) { return; }
  var status = document.getElementById("stream-status");
  var kind = video.getAttribute("data-kind");
  var src = video.getAttribute("data-src");
  var started = false;

  function tell(key) {
    if (status) { status.textContent = status.getAttribute(key) || ""; }
  }

  function start() {
    if (started) { return; }
    started = true;
    if (kind === "hls") {
      if (video.canPlayType("application/vnd.apple.mpegurl")) {
        video.src = src;
      } else if (window.Hls && window.Hls.isSupported()) {
        // No worker: the Content-Security-Policy does not allow blob: workers.
        var hls = new window.Hls({ enableWorker: false, lowLatencyMode: true });
        hls.on(window.Hls.Events.ERROR, function (_event, data) {
          if (data && data.fatal) { tell("data-error"); }
        });
        hls.loadSource(src);
        hls.attachMedia(video);
      } else {
        tell("data-unsupported");
        return;
      }
    } else if (kind === "flv") {
      if (window.mpegts && window.mpegts.getFeatureList().mseLivePlayback) {
        var player = window.mpegts.createPlayer({ type: "flv", isLive: true, url: src });
        player.on(window.mpegts.Events.ERROR, function () { tell("data-error"); });
        player.attachMediaElement(video);
        player.load();
      } else {
        tell("data-unsupported");
        return;
      }
    }
    video.addEventListener("error", function () { tell("data-error"); });
    var playing = video.play();
    if (playing && playing.catch) { playing.catch(function () {}); }
  }

  var button = document.getElementById("stream-play");
  if (button) { button.addEventListener("click", function () { start(); button.hidden = true; }); }
  video.addEventListener("play", start);
  // The native controls' play button fires "play"; a tap on the poster too.
  video.addEventListener("click", start);
})();
