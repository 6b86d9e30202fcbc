"""Scale benchmark: N live RTSP cameras recorded into SeaweedFS, indexed by 2 workers on PostgreSQL.

    .venv/bin/python -m bench.scale [--cameras 16] [--seconds 120] [--fps 15] [--workers 2]

One GStreamer RTSP server on loopback (tests/support/rtsp.py) serves N mounts (640x360 H.264 +
G.711); a sites file names one centre with N windows and cameras and is loaded into a throwaway
PostgreSQL catalog (tests/support/postgres.py); one `seffaf record` process per camera, as
production runs them, writes into a SeaweedFS S3 bucket (tests/support/seaweed.py) while
`seffaf index --follow` and `seffaf worker` x2 index and verify/analyse the segments. After
`--seconds` the recorders get SIGTERM (they close the segment and drain their spool), then the
indexer and workers finish the queue. Checks (bench/scale_check.py): per camera, store ==
catalog, contiguous seqs, no gap records, intact hash chain, 0 video packets lost; every segment
verified and analysed exactly once. CPU per process from wait4. Exit 1 when anything is lost.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from bench.scale_check import CameraCheck, JobsCheck, check_camera, check_jobs, queue_state
from seffaf.keys import is_segment_manifest_key
from seffaf.storage.url import open_store, parse_storage_url
from tests.support.processes import die_with_parent, free_ports

OUT_DIR = Path(__file__).resolve().parent / "out"
CENTER = "scale-1"
LOSS_METRICS = ("seffaf_reconnects", "seffaf_gaps", "seffaf_upload_failures")


@dataclass(frozen=True)
class ProcessCpu:
    name: str
    cpu_s: float  # from the mark (recording start) to the exit, SIGTERM drain included
    wall_s: float
    exit_code: int
    startup_cpu_s: float  # before the mark: interpreter start-up and imports

    @property
    def percent_of_core(self) -> float:
        return 100.0 * self.cpu_s / self.wall_s if self.wall_s > 0 else 0.0


@dataclass(frozen=True)
class CameraRow:
    check: CameraCheck
    recorder: ProcessCpu
    metrics: dict[str, float]  # reconnects, gaps, upload failures scraped just before SIGTERM


class Child:
    """A seffaf subprocess with its log file, reaped with wait4 for its own CPU time."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        self.marked_at, self.cpu_at_mark = time.monotonic(), 0.0
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([sys.executable, "-m", "seffaf", *args], env=env, stdout=log,
                                         stderr=subprocess.STDOUT, preexec_fn=die_with_parent())  # fmt: skip

    def mark(self) -> None:
        """Start of the measured span: CPU spent before it (start-up) is reported apart."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        self.marked_at = time.monotonic()
        self.cpu_at_mark = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)

    def reap(self, timeout_s: float = 120.0) -> ProcessCpu:
        deadline = time.monotonic() + timeout_s
        while True:
            pid, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                self.proc.kill()
                deadline = float("inf")
            time.sleep(0.1)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        total = usage.ru_utime + usage.ru_stime
        return ProcessCpu(self.name, total - self.cpu_at_mark, time.monotonic() - self.marked_at,
                          self.proc.returncode, self.cpu_at_mark)  # fmt: skip

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def sites_toml(cameras: dict[str, str]) -> str:
    parts = [f'[[center]]\nid = "{CENTER}"\nname = "Scale bench"\ntimezone = "UTC"\n']
    for number, (camera, source) in enumerate(cameras.items(), start=1):
        parts.append(f'[[window]]\ncenter = "{CENTER}"\nnumber = {number}\ncamera = "{camera}"\n')
        parts.append(f'[[camera]]\nid = "{camera}"\nsource = "{source}"\n')
    return "\n".join(parts)


def scrape(port: int) -> dict[str, float]:
    """The loss counters of one recorder's Prometheus endpoint (all zero when healthy)."""
    totals = dict.fromkeys(LOSS_METRICS, 0.0)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:  # the recorder is gone: its exit code and log tell why
        return {**totals, "metrics_unreachable": 1.0}
    for family in text_string_to_metric_families(text):
        if family.name in totals:
            totals[family.name] += sum(s.value for s in family.samples if s.name.endswith("_total"))
    return totals


def wait_up(ports: list[int], recorders: dict[str, Child], timeout_s: float) -> float:
    """Seconds until every recorder serves its metrics (start-up is slow on a loaded machine)."""
    started = time.monotonic()
    for port, (camera, child) in zip(ports, recorders.items(), strict=True):
        while "metrics_unreachable" in scrape(port):
            if child.proc.poll() is not None:
                sys.exit(f"recorder {camera} exited {child.proc.returncode} at start:\n{child.tail()}")
            if time.monotonic() - started > timeout_s:
                sys.exit(f"recorder {camera} not up after {timeout_s:g} s:\n{child.tail()}")
            time.sleep(0.5)
    return time.monotonic() - started


def drain(engine_url: str, store_segments: int, timeout_s: float) -> float:
    """Wait until the catalog holds every stored segment and no job is queued or running; seconds waited."""
    engine = create_engine(engine_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout_s:
            segments, pending = queue_state(engine)
            if segments >= store_segments and pending == 0:
                break
            time.sleep(2.0)
    finally:
        engine.dispose()
    return time.monotonic() - started


def run(args: argparse.Namespace, work: Path) -> tuple[list[CameraRow], JobsCheck, list[ProcessCpu], float]:
    from tests.support.postgres import PostgresCluster
    from tests.support.rtsp import RtspCamera
    from tests.support.seaweed import SeaweedServer

    logs = work / "logs"
    logs.mkdir()
    mounts = [f"/cam{i}" for i in range(1, args.cameras + 1)]
    # Mounts share 4 encoders (as in bench/recorder.py): N x264 encoders would starve a 2-core machine.
    with (
        SeaweedServer(work / "weed") as weed,
        RtspCamera(mounts, width=args.width, height=args.height, fps=args.fps,
                   encoders=min(4, args.cameras)) as rtsp,
    ):  # fmt: skip
        cluster = PostgresCluster(work / "pg").start()
        try:
            database_url = cluster.create_database("scale")
            storage_url = weed.url("scale")
            weed.client().make_bucket("scale")  # the indexer and workers must not race the recorders to it
            env = {**os.environ, "SEFFAF_STORAGE_URL": storage_url, "SEFFAF_DATABASE_URL": database_url,
                   "SEFFAF_DATA_DIR": str(work / "data")}  # fmt: skip
            cameras = {f"{CENTER}-w{i:02d}": rtsp.url(m) for i, m in enumerate(mounts, start=1)}
            (work / "sites.toml").write_text(sites_toml(cameras))
            loaded = Child("sites-load", ["sites", "load", str(work / "sites.toml")], env, logs)
            if loaded.reap().exit_code != 0:
                sys.exit(f"seffaf sites load failed:\n{loaded.tail()}")
            ports = free_ports(args.cameras)
            recorders = {
                camera: Child(camera, ["record", "--camera", camera, "--source", source, "--center", CENTER,
                                       "--window", str(n), "--spool", str(work / "spool"), "--metrics-port",
                                       str(port), "--log-format", "text"], env, logs)
                for n, ((camera, source), port) in enumerate(zip(cameras.items(), ports, strict=True), start=1)
            }  # fmt: skip
            indexer = Child("indexer", ["index", "--follow", "--interval", "2"], env, logs)
            workers = [Child(f"worker{i}", ["worker", "--name", f"worker{i}"], env, logs)
                       for i in range(1, args.workers + 1)]  # fmt: skip
            up = wait_up(ports, recorders, timeout_s=300.0)
            print(f"recorders up after {up:.0f} s; recording {args.cameras} cameras for {args.seconds:g} s …",
                  flush=True)  # fmt: skip
            for child in (*recorders.values(), indexer, *workers):
                child.mark()
            time.sleep(args.seconds)
            metrics = {camera: scrape(port) for camera, port in zip(recorders, ports, strict=True)}
            for child in recorders.values():
                child.stop()
            recorder_cpu = {camera: child.reap() for camera, child in recorders.items()}
            for camera, cpu in recorder_cpu.items():
                if cpu.exit_code != 0:
                    print(f"recorder {camera} exited {cpu.exit_code}:\n{recorders[camera].tail()}")
            store = open_store(parse_storage_url(storage_url))
            stored = sum(1 for i in store.list("") if is_segment_manifest_key(i.key))
            waited = drain(database_url, stored, args.drain_timeout)
            print(f"recorders stopped; index + workers drained the queue in {waited:.0f} s", flush=True)
            for child in (indexer, *workers):
                child.stop()
            services = [child.reap() for child in (indexer, *workers)]
            engine = create_engine(database_url)
            try:
                rows = [CameraRow(check_camera(store, engine, camera, args.fps), recorder_cpu[camera],
                                  metrics[camera]) for camera in cameras]  # fmt: skip
                jobs = check_jobs(engine)
            finally:
                engine.dispose()
        finally:
            cluster.close()
    return rows, jobs, services, waited


def mean_percent(rows: list[CameraRow]) -> float:
    return sum(r.recorder.percent_of_core for r in rows) / max(1, len(rows))


def print_table(rows: list[CameraRow], jobs: JobsCheck, services: list[ProcessCpu]) -> None:
    print(f"\n{'camera':14} {'segs':>5} {'catalog':>7} {'seq ok':>6} {'footage s':>9} {'packets':>8} {'lost':>5} "
          f"{'gaps':>5} {'chain':>6} {'reconn':>6} {'CPU s':>6} {'% core':>6}")  # fmt: skip
    for r in rows:
        c = r.check
        print(f"{c.camera:14} {c.segments_store:5} {c.segments_catalog:7} {'yes' if c.seq_contiguous else 'NO':>6} "
              f"{c.footage_s:9.1f} {c.video_packets:8} {c.packets_lost:5} {c.gaps_store:5} "
              f"{'ok' if c.chain_intact else 'BROKEN':>6} {r.metrics['seffaf_reconnects']:6.0f} "
              f"{r.recorder.cpu_s:6.1f} {r.recorder.percent_of_core:6.1f}")  # fmt: skip
    cpu = sum(r.recorder.cpu_s for r in rows)
    print(f"{'total':14} {sum(r.check.segments_store for r in rows):5} {sum(r.check.segments_catalog for r in rows):7} "
          f"{'':6} {sum(r.check.footage_s for r in rows):9.1f} {sum(r.check.video_packets for r in rows):8} "
          f"{sum(r.check.packets_lost for r in rows):5} {sum(r.check.gaps_store for r in rows):5} {'':6} "
          f"{sum(r.metrics['seffaf_reconnects'] for r in rows):6.0f} {cpu:6.1f} "
          f"{mean_percent(rows):6.1f} (mean per camera from recording start to exit; "
          f"start-up {sum(r.recorder.startup_cpu_s for r in rows):.0f} CPU s apart)")  # fmt: skip
    for s in services:
        print(f"{s.name:14} CPU {s.cpu_s:6.1f} s over {s.wall_s:5.0f} s = {s.percent_of_core:5.1f} % of a core, "
              f"exit {s.exit_code}")  # fmt: skip
    print(f"jobs: {jobs.segments} segments; done exactly once {jobs.done_once}; missing {jobs.missing}; "
          f"retried {jobs.retried}; not done {jobs.not_done}; other kinds {jobs.other_kinds}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--fps", type=int, default=15)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument("--out", type=Path, default=OUT_DIR / "scale.json")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="seffaf-bench-scale-") as tmp:
        rows, jobs, services, waited = run(args, Path(tmp))
    load_after = os.getloadavg()
    print_table(rows, jobs, services)
    lost = [r.check.camera for r in rows if not r.check.ok or any(r.metrics.values()) or r.recorder.exit_code]
    ok = not lost and jobs.ok and all(s.exit_code == 0 for s in services)
    print(f"load average before {load_before[0]:.2f}/{load_before[1]:.2f}, after {load_after[0]:.2f}/"
          f"{load_after[1]:.2f} (1/5 min, {os.cpu_count()} cores); drain {waited:.0f} s")  # fmt: skip
    print("nothing lost" if ok else f"LOSS: cameras {lost or 'none'}; jobs ok {jobs.ok}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "cameras": args.cameras, "seconds": args.seconds, "fps": args.fps, "width": args.width,
        "height": args.height, "workers": args.workers, "ok": ok, "drain_s": waited,
        "load_average_before": load_before, "load_average_after": load_after, "cpu_count": os.cpu_count(),
        "recorder_cpu_percent_per_camera": mean_percent(rows),
        "packets_lost": sum(r.check.packets_lost for r in rows),
        "segments": sum(r.check.segments_store for r in rows),
        "gaps": sum(r.check.gaps_store + r.check.gaps_catalog for r in rows),
        "per_camera": [{**asdict(r.check), "recorder": asdict(r.recorder), "metrics": r.metrics} for r in rows],
        "services": [{**asdict(s), "percent_of_core": s.percent_of_core} for s in services],
        "jobs": asdict(jobs),
    }, indent=2))  # fmt: skip
    print(f"wrote {args.out}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
