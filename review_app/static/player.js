/* seffaf review app: a session leg's footage through hls.js, with a wall-clock timeline bar.
 *
 * SeffafPlayer.attach(root, config) wires one player; config is the PlayerConfig JSON the
 * page embeds (playlist_url, footage.timeline, markers, timezone). Pages that include the
 * _player.html partial are wired on load; the API object is kept on root.seffafPlayer.
 * The timeline map (review_app/media/playlist.py) gives each segment's wall-clock span; the
 * player plays the segments end to end, so holes in the footage take no player time.
 */
(function () {
  "use strict";

  // Date.parse reads milliseconds only; the API sends microseconds.
  function toMs(iso) {
    return Date.parse(iso.replace(/(\.\d{3})\d+/, "$1"));
  }

  /** Where each segment sits on the player's time axis. hls.js lays the files end to end by
   *  the durations it parses, which can differ from the catalogue's by an audio frame, so its
   *  fragment list, matched by EXT-X-PROGRAM-DATE-TIME, is the truth; until the playlist is
   *  parsed, the server's timeline map is. */
  function placements(timeline, hls) {
    const details = hls && hls.levels.length ? hls.levels[0].details : null;
    const fragments = details ? details.fragments : [];
    const byWall = new Map(fragments.map(function (f) { return [f.programDateTime, f]; }));
    return timeline.segments.map(function (s) {
      const wall = toMs(s.start);
      const f = byWall.get(wall);
      return {
        wall: wall, wallEnd: toMs(s.end),
        start: f ? f.start : s.player_start_s, duration: f ? f.duration : s.duration_s,
      };
    });
  }

  /** Player seconds showing wallMs; in a hole, where footage resumes; null: none after it. */
  function playerTime(placed, wallMs) {
    let later = null;
    for (const p of placed) {
      if (p.wall <= wallMs && wallMs < p.wallEnd) {
        return p.start + Math.min((wallMs - p.wall) / 1000, p.duration);
      }
      if (p.wall >= wallMs && (later === null || p.wall < later.wall)) later = p;
    }
    return later === null ? null : later.start;
  }

  /** The wall-clock instant (ms) shown at player second t; null without footage. */
  function wallTime(placed, t) {
    let last = null;
    for (const p of placed) {
      if (p.start <= t && t < p.start + p.duration) return Math.min(p.wall + (t - p.start) * 1000, p.wallEnd);
      if (p.start <= t && (last === null || p.start > last.start)) last = p;
    }
    return last === null ? null : last.wallEnd;
  }

  /** A hole's cause as a reviewer reads it: "recorded:camera_unreachable" -> "recorded gap: camera unreachable". */
  function causeLabel(cause) {
    const words = cause.replace(/^recorded:/, "").replace(/_/g, " ");
    return cause.indexOf("recorded:") === 0 ? "recorded gap: " + words : words;
  }

  function element(tag, className, parent) {
    const node = document.createElement(tag);
    node.className = className;
    parent.appendChild(node);
    return node;
  }

  function attach(root, config) {
    const video = root.querySelector("video");
    const bar = root.querySelector("[data-role=bar]");
    const status = root.querySelector("[data-role=status]");
    const clock = root.querySelector("[data-role=clock]");
    const timeline = config.footage.timeline;
    const api = { video: video, hls: null, errors: [], timeline: timeline };
    const fail = function (message) {
      api.errors.push(message);
      status.textContent = message;
      root.dataset.state = "error";
    };
    if (!timeline || timeline.segments.length === 0) {
      fail("No footage of this leg.");
      return api;
    }
    const spanStart = toMs(timeline.span_start);
    const spanMs = Math.max(1, toMs(timeline.span_end) - spanStart);
    const percent = function (wallMs) {
      return Math.min(100, Math.max(0, ((wallMs - spanStart) / spanMs) * 100)) + "%";
    };
    const place = function (node, startMs, endMs) {
      node.style.left = percent(startMs);
      if (endMs !== undefined) {
        node.style.width = "calc(" + percent(endMs) + " - " + percent(startMs) + ")";
      }
      return node;
    };
    const format = new Intl.DateTimeFormat("en-GB", {
      timeZone: config.timezone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
    });

    const placed = function () { return placements(timeline, api.hls); };
    api.playerTime = function (wallMs) { return playerTime(placed(), wallMs); };
    api.wallTime = function (t) { return wallTime(placed(), t); };
    api.seekToWall = function (wallMs) {
      const t = playerTime(placed(), wallMs);
      if (t !== null) video.currentTime = t;
      return t;
    };

    for (const s of timeline.segments) {
      place(element("div", "seffaf-player__footage", bar), toMs(s.start), toMs(s.end));
    }
    for (const h of timeline.holes) { // the hatched background shows through; the hole says why
      const hole = place(element("div", "seffaf-player__hole", bar), toMs(h.start), toMs(h.end));
      hole.dataset.cause = h.cause;
      hole.textContent = causeLabel(h.cause);
      hole.title = "No footage " + format.format(new Date(toMs(h.start))) + "–" +
        format.format(new Date(toMs(h.end))) + ": " + causeLabel(h.cause);
    }
    if (config.footage.leg_start && config.footage.leg_end) {
      place(element("div", "seffaf-player__leg", bar), toMs(config.footage.leg_start), toMs(config.footage.leg_end));
    }
    for (const marker of config.markers) {
      const button = place(element("button", "seffaf-player__marker", bar), toMs(marker.at));
      button.type = "button";
      button.dataset.markerId = String(marker.id);
      button.dataset.severity = marker.severity;
      button.title = marker.label + " — " + format.format(new Date(toMs(marker.at)));
      button.setAttribute("aria-label", button.title);
      button.addEventListener("click", function (event) {
        event.stopPropagation();
        api.seekToWall(toMs(marker.at));
      });
    }
    const playhead = element("div", "seffaf-player__playhead", bar);
    bar.addEventListener("click", function (event) {
      const box = bar.getBoundingClientRect();
      api.seekToWall(spanStart + ((event.clientX - box.left) / box.width) * spanMs);
    });
    const showTime = function () {
      const wall = wallTime(placed(), video.currentTime);
      if (wall === null) return;
      place(playhead, wall);
      clock.textContent = format.format(new Date(wall)) + " (" + config.timezone + ")";
    };
    video.addEventListener("timeupdate", showTime);
    video.addEventListener("seeked", showTime);

    if (window.Hls && window.Hls.isSupported()) {
      const hls = new window.Hls();
      api.hls = hls;
      hls.on(window.Hls.Events.ERROR, function (_event, data) {
        if (data.fatal) fail("Playback failed: " + data.type + " / " + data.details);
      });
      hls.loadSource(config.playlist_url);
      hls.attachMedia(video);
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = config.playlist_url; // Safari plays HLS natively
    } else {
      fail(window.Hls ? "This browser cannot play HLS." : "hls.js is missing: run ./run to install it (npm ci).");
    }
    showTime();
    return api;
  }

  function attachAll() {
    for (const root of document.querySelectorAll("[data-seffaf-player]")) {
      const config = JSON.parse(root.querySelector("script[data-role=config]").textContent);
      root.seffafPlayer = attach(root, config);
    }
  }

  window.SeffafPlayer = { attach: attach, placements: placements, playerTime: playerTime, wallTime: wallTime };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", attachAll);
  } else {
    attachAll();
  }
})();
