"""`seffaf record`: the recorder daemon for one camera, or one process per camera of a sites file."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from seffaf.cli.common import build_store, fail, parse_time_option, settings_from, user_errors
from seffaf.cli.stop_signals import install_stop_signals
from seffaf.clock import utcnow
from seffaf.logs import configure_logging
from seffaf.sites import SitesError, load_sites

logger = logging.getLogger(__name__)


def record(
    ctx: typer.Context,
    camera: Annotated[str | None, typer.Option(help="Camera id, e.g. baku-1-w07.")] = None,
    source: Annotated[
        str | None, typer.Option(help="rtsp://… URL, or a file recorded once as fast as it reads.")
    ] = None,
    sites: Annotated[Path | None, typer.Option(help="Record every camera of this sites file.")] = None,
    center: Annotated[str | None, typer.Option(help="Centre id written into manifests.")] = None,
    window: Annotated[int | None, typer.Option(help="Window number written into manifests.")] = None,
    storage: Annotated[str | None, typer.Option(help="Storage URL (overrides SEFFAF_STORAGE_URL).")] = None,
    spool: Annotated[Path | None, typer.Option(help="Spool directory (overrides SEFFAF_SPOOL_DIR).")] = None,
    segment_seconds: Annotated[float | None, typer.Option(help="Target segment length in seconds.")] = None,
    metrics_port: Annotated[int | None, typer.Option(help="Serve Prometheus metrics on this port.")] = None,
    start_time: Annotated[str | None, typer.Option(help="Wall time of a file source's first frame (ISO 8601).")] = None,
    wait_for_camera: Annotated[bool, typer.Option(help="Keep retrying if the camera is unreachable at start.")] = False,
    log_format: Annotated[str, typer.Option(help="json (daemons) or text.")] = "json",
) -> None:
    """Record a window camera into hash-chained fMP4 segments in the object store."""
    # Imported here, not at the top: PyAV and prometheus_client would cost every other command start-up time.
    from recorder.metrics import RecorderMetrics
    from recorder.source import CameraSpec, SourceError
    from recorder.spool import Spool, SpoolError
    from recorder.supervisor import RecorderSetupError, Supervisor

    recorder_overrides = {"segment_seconds": segment_seconds} if segment_seconds is not None else None
    settings = settings_from(ctx, storage_url=storage, spool_dir=spool, recorder=recorder_overrides)
    if sites is not None:
        if camera or source:
            fail("--sites records every camera of the file; do not combine it with --camera/--source")
        raise typer.Exit(_record_sites(sites, center, storage, spool, segment_seconds, log_format))
    if camera is None or source is None:
        fail("give --camera and --source, or --sites FILE")
    configure_logging(json_lines=log_format == "json")
    with user_errors(SourceError, ValueError):
        spec = CameraSpec(camera=camera, source=source, center=center, window=window)
    store = build_store(settings, create_bucket=True, on_unreachable=lambda why: logger.error(
        "object store unreachable at start (%s): recording into the spool until it is back", why))  # fmt: skip
    metrics = RecorderMetrics(spec.camera)
    if metrics_port is not None:
        metrics.serve(metrics_port)
    stop = threading.Event()
    install_stop_signals(stop, announce="closing the current segment and stopping")
    supervisor = Supervisor(
        spec, Spool(settings.resolved_spool_dir, spec.camera), store, settings.recorder, metrics, utcnow, stop,
        wait_for_camera=wait_for_camera, start_time=parse_time_option(start_time, "--start-time"),
    )  # fmt: skip
    with user_errors(SpoolError, RecorderSetupError):
        outcome = supervisor.run()
    (logger.info if outcome.exit_code == 0 else logger.error)("%s", outcome.message)
    if outcome.exit_code != 0:
        typer.echo(f"error: {outcome.message}", err=True)
    raise typer.Exit(outcome.exit_code)


def _record_sites(
    path: Path, center: str | None, storage: str | None, spool: Path | None,
    segment_seconds: float | None, log_format: str,
) -> int:  # fmt: skip
    """One recorder process per camera: a crash of one never stops the others."""
    with user_errors(SitesError):
        registry = load_sites(path)
    children: list[subprocess.Popen[bytes]] = []
    for cam in registry.camera:
        win = registry.window_of_camera(cam.id)
        if center is not None and (win is None or win.center != center):
            continue
        args = [sys.executable, "-m", "seffaf", "record", "--camera", cam.id, "--source", cam.source,
                "--log-format", log_format, "--wait-for-camera"]  # fmt: skip
        if win is not None:
            args += ["--center", win.center, "--window", str(win.number)]
        for flag, value in (("--storage", storage), ("--spool", spool), ("--segment-seconds", segment_seconds)):
            if value is not None:
                args += [flag, str(value)]
        children.append(subprocess.Popen(args))
    if not children:
        fail(f"sites file {path} names no camera" + (f" in centre {center}" if center else ""))

    def forward(signum: int, _frame: FrameType | None) -> None:
        for child in children:
            child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [child.wait() for child in children]
    return max(codes)
