#!/usr/bin/python3
"""Fake IP camera: gst-rtsp-server serving live H.264 + G.711 A-law on 127.0.0.1.

Runs under the *system* interpreter (Debian's python3-gi), never the project venv, so it
imports nothing but the standard library and gi. Usage::

    /usr/bin/python3 tests/support/rtsp_camera_server.py --port 8554 --mount /cam1 --mount /cam2

Prints ``READY <port>`` (flushed) once the server is attached to the main loop, and exits
with status 0 on SIGTERM/SIGINT. Exits with status 1 if the port cannot be bound.

Needs Debian packages: python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base
gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys

import gi  # type: ignore[import-not-found]

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # type: ignore[import-not-found]  # noqa: E402

# Scrolling SMPTE bars: every frame differs, x264 reaches the requested bitrate (~800 kb/s at
# 640x360, like a real camera's sub-stream), and it is cheaper than pattern=ball, which only
# yields ~200 kb/s and costs ~1.5x the CPU. Scroll speed/direction varies per mount so a human can
# tell streams apart; the timeoverlay label names the mount.
_SPEEDS = (2, -3, 4, -5)


class _KeyedFactory(GstRtspServer.RTSPMediaFactory):  # type: ignore[misc]
    """A shared factory whose media is keyed by a fixed name instead of the request URL.

    gst-rtsp-server caches shared media per URL, so one factory mounted on /cam1 and /cam2
    still builds two pipelines. With a fixed key, every mount of this factory is served by a
    single pipeline (one encoder), which is what makes 16 cameras cheap (--encoders).
    """

    def __init__(self, key: str) -> None:
        super().__init__()
        self._key = key

    def do_gen_key(self, url: object) -> str:
        return self._key


def build_launch(
    *,
    index: int,
    label: str,
    pattern: str,
    width: int,
    height: int,
    fps: int,
    gop_frames: int,
    bitrate_kbps: int,
    audio: bool,
    overlay: bool,
) -> str:
    """Return the gst-launch description of one mount (payloaders pay0 video, pay1 audio)."""
    video = [
        f"videotestsrc is-live=true pattern={pattern} horizontal-speed={_SPEEDS[index % len(_SPEEDS)]}",
        # I420 explicitly: what x264enc takes, so no conversion and the cheapest test-source path.
        f"video/x-raw,format=I420,width={width},height={height},framerate={fps}/1",
    ]
    if overlay:
        video.append(f'timeoverlay text="{label}" halignment=left valignment=top font-desc="Sans 14"')
    video += [
        # Fixed GOP like a real camera: no scene-cut keyframes, no B-frames, one encoder thread
        # (many mounts share few cores; threads=auto would oversubscribe).
        f"x264enc tune=zerolatency speed-preset=ultrafast key-int-max={gop_frames} "
        f'bitrate={bitrate_kbps} bframes=0 threads=1 option-string="scenecut=0"',
        "rtph264pay name=pay0 pt=96 config-interval=-1",
    ]
    launch = " ! ".join(video)
    if audio:
        # 20 ms of 8 kHz per buffer = 160 samples, the usual G.711 packetisation.
        launch += (
            " audiotestsrc is-live=true wave=sine freq=440 volume=0.3 samplesperbuffer=160"
            " ! audio/x-raw,rate=8000,channels=1"
            " ! alawenc ! rtppcmapay name=pay1 pt=8"
        )
    return "( " + launch + " )"


def _parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Fake RTSP IP camera (gst-rtsp-server).")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--mount", action="append", required=True, help="e.g. /cam1; repeatable")
    p.add_argument("--width", type=int, default=640)
    p.add_argument("--height", type=int, default=360)
    p.add_argument("--fps", type=int, default=25)
    p.add_argument("--gop-seconds", type=float, default=2.0)
    p.add_argument("--bitrate-kbps", type=int, default=800)
    p.add_argument("--pattern", default="smpte", help="videotestsrc pattern (e.g. smpte, ball)")
    p.add_argument(
        "--encoders",
        type=int,
        default=0,
        help="serve the mounts with this many pipelines, round-robin (0: one per mount). "
        "Mounts sharing a pipeline carry identical video; CPU scales with encoders, not mounts.",
    )
    p.add_argument("--no-audio", action="store_true")
    p.add_argument("--no-overlay", action="store_true", help="skip timeoverlay (saves CPU)")
    p.add_argument(
        "--exit-with-parent",
        action="store_true",
        help="exit when the process that started us dies (no orphans if pytest is killed)",
    )
    p.add_argument("--print-launch", action="store_true", help="print pipelines to stderr")
    return p.parse_args(argv)


def main(argv: list[str]) -> int:
    args = _parse_args(argv)
    parent_pid = os.getppid()
    mounts: list[str] = []
    for raw in args.mount:
        mount = raw if raw.startswith("/") else "/" + raw
        if mount in mounts:
            print(f"duplicate mount {mount}", file=sys.stderr)
            return 2
        mounts.append(mount)

    Gst.init(None)
    overlay = not args.no_overlay and Gst.ElementFactory.find("timeoverlay") is not None
    gop_frames = max(1, round(args.gop_seconds * args.fps))

    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    mount_points = server.get_mount_points()
    n_pipelines = len(mounts) if args.encoders <= 0 else min(args.encoders, len(mounts))
    factories = []
    for i in range(n_pipelines):
        label = re.sub(r"[^A-Za-z0-9_.-]", "", mounts[i]) if n_pipelines == len(mounts) else f"enc{i + 1}"
        launch = build_launch(
            index=i,
            label=label or f"cam{i + 1}",
            pattern=args.pattern,
            width=args.width,
            height=args.height,
            fps=args.fps,
            gop_frames=gop_frames,
            bitrate_kbps=args.bitrate_kbps,
            audio=not args.no_audio,
            overlay=overlay,
        )
        if args.print_launch:
            print(f"pipeline {i + 1}: {launch}", file=sys.stderr, flush=True)
        factory = GstRtspServer.RTSPMediaFactory() if n_pipelines == len(mounts) else _KeyedFactory(f"enc{i}")
        factory.set_launch(launch)
        factory.set_shared(True)  # all clients of a mount share one pipeline/encoder
        # Not seekable, like a real camera. Otherwise videotestsrc answers the SEEKING query and
        # each new client's PLAY (FFmpeg always sends "Range: npt=0.000-") makes the server run a
        # flushing seek on the shared pipeline: RTP timestamps of the clients already playing jump
        # back to ~0 and the encoder emits an extra keyframe. CLOCK_AND_OFFSET marks the media
        # unseekable (and adds RFC 7273 a=ts-refclk/a=mediaclk lines to the SDP, ignored by FFmpeg).
        factory.set_publish_clock_mode(GstRtspServer.RTSPPublishClockMode.CLOCK_AND_OFFSET)
        factories.append(factory)
    for i, mount in enumerate(mounts):
        mount_points.add_factory(mount, factories[i % n_pipelines])

    loop = GLib.MainLoop()
    try:
        source_id = server.attach(None)
    except GLib.Error as exc:
        print(f"cannot bind RTSP server on 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    if source_id == 0:  # gst_rtsp_server_attach() returns 0 when the socket cannot be bound
        print(f"cannot bind RTSP server on 127.0.0.1:{args.port}", file=sys.stderr)
        return 1

    def _quit(*_: object) -> bool:
        loop.quit()
        return False  # GLib.SOURCE_REMOVE

    for signum in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signum, _quit)

    def _housekeeping() -> bool:
        # Drop timed-out sessions (clients that vanished without TEARDOWN).
        server.get_session_pool().cleanup()
        if args.exit_with_parent and os.getppid() != parent_pid:
            print("parent died; exiting", file=sys.stderr, flush=True)
            loop.quit()
            return False  # GLib.SOURCE_REMOVE
        return True  # GLib.SOURCE_CONTINUE

    GLib.timeout_add_seconds(1, _housekeeping)

    print(f"READY {args.port}", flush=True)
    loop.run()
    GLib.source_remove(source_id)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
