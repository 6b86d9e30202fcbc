/* seffaf review app: a leg's observation tracks drawn under its player, on the timeline bar's scale.
 *
 * SeffafTracks.attach(root) fetches root.dataset.url (GET …/legs/{i}/observations: intervals per
 * track — operator at the desk, citizens, loudness, raised voices, camera tampering — over the leg
 * with the player's padding, which is the player's timeline span) and draws one strip per track.
 * Strips follow the page's player (static/player.js): a click seeks it to that moment, a line shows
 * where it plays. Buttons with data-seek="<ISO time>" (a finding's evidence) seek it too.
 */
(function () {
  "use strict";

  // Date.parse reads milliseconds only; the API sends microseconds.
  function toMs(iso) {
    return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
  }

  function thePlayer() {
    const root = document.querySelector("[data-seffaf-player]");
    return root && root.seffafPlayer ? root.seffafPlayer : null;
  }

  // Loudness as heat: -50 LUFS (silence) pale to -10 LUFS (shouting) deep red.
  function heat(lufs) {
    const x = Math.min(1, Math.max(0, (lufs + 50) / 40));
    return "rgba(190, 40, 20, " + (0.08 + 0.92 * x).toFixed(2) + ")";
  }

  // What a span of each track says and how it looks.
  const LOOKS = {
    operator: function (i) {
      return i.kind === "operator_present" ? { cls: "ok", text: "operator at the desk" } : { cls: "bad", text: "operator away" };
    },
    citizens: function (i) {
      if (i.value < 1) return { cls: "none", text: "nobody at the citizen's side" };
      return { cls: "info", text: i.value + (i.value === 1 ? " citizen" : " citizens"),
               opacity: Math.min(1, 0.4 + 0.3 * i.value) };
    },
    loudness: function (i) { return { cls: "heat", text: i.value.toFixed(0) + " LUFS", color: heat(i.value) }; },
    raised_voice: function () { return { cls: "bad", text: "raised voices" }; },
    camera: function (i) { return { cls: "bad", text: "camera " + i.kind }; },
  };

  function element(tag, className, parent) {
    const node = document.createElement(tag);
    node.className = className;
    parent.appendChild(node);
    return node;
  }

  function draw(root, data) {
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: root.dataset.timezone || "UTC", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
    });
    if (!data.span_start || !data.span_end) {
      element("p", "seffaf-tracks__status", root).textContent = "No camera films this window: nothing was observed.";
      return [];
    }
    const spanStart = toMs(data.span_start);
    const spanMs = Math.max(1, toMs(data.span_end) - spanStart);
    const percent = function (ms) { return Math.min(100, Math.max(0, ((ms - spanStart) / spanMs) * 100)); };
    const strips = [];
    for (const track of data.tracks) {
      const row = element("div", "seffaf-tracks__row", root);
      row.dataset.track = track.name;
      element("div", "seffaf-tracks__label", row).textContent =
        track.label + (track.intervals.length ? "" : " — nothing seen");
      const strip = element("div", "seffaf-tracks__strip", row);
      strip.title = "Click to go to that moment";
      for (const interval of track.intervals) {
        const start = toMs(interval.start), end = toMs(interval.end);
        const look = (LOOKS[track.name] || LOOKS.raised_voice)(interval);
        const span = element("div", "seffaf-tracks__span seffaf-tracks__span--" + look.cls, strip);
        span.style.left = percent(start) + "%";
        span.style.width = Math.max(0.2, percent(end) - percent(start)) + "%";
        if (look.color) span.style.background = look.color;
        if (look.opacity) span.style.opacity = String(look.opacity);
        span.dataset.kind = interval.kind;
        span.title = look.text + ", " + format.format(new Date(start)) + "–" + format.format(new Date(end));
      }
      strip.addEventListener("click", function (event) {
        const player = thePlayer();
        const box = strip.getBoundingClientRect();
        if (player) player.seekToWall(spanStart + ((event.clientX - box.left) / box.width) * spanMs);
      });
      strips.push({ strip: strip, playhead: element("div", "seffaf-tracks__playhead", strip) });
    }
    const player = thePlayer();
    if (player && player.video) {
      const follow = function () {
        const wall = player.wallTime ? player.wallTime(player.video.currentTime) : null;
        for (const s of strips) {
          s.playhead.hidden = wall === null;
          if (wall !== null) s.playhead.style.left = percent(wall) + "%";
        }
      };
      player.video.addEventListener("timeupdate", follow);
      player.video.addEventListener("seeked", follow);
      follow();
    }
    return strips;
  }

  function attach(root) {
    root.dataset.state = "loading";
    return fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("observations: HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        draw(root, data);
        root.dataset.state = "ready";
      })
      .catch(function (error) {
        element("p", "seffaf-tracks__status", root).textContent = "What the cameras saw could not be loaded.";
        root.dataset.state = "error";
        if (window.console) console.error(error);
      });
  }

  function attachAll() {
    for (const root of document.querySelectorAll("[data-seffaf-tracks]")) attach(root);
    document.addEventListener("click", function (event) {
      const button = event.target.closest ? event.target.closest("[data-seek]") : null;
      const player = thePlayer();
      if (button && player) player.seekToWall(toMs(button.dataset.seek));
    });
  }

  window.SeffafTracks = { attach: attach };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attachAll);
  } else {
    attachAll();
  }
})();
