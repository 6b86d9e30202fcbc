"""Prometheus metrics of one recorder process, on its own registry (no globals)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server


class RecorderMetrics:
    def __init__(self, camera: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        labels = ["camera"]
        self._segments = Counter(
            "seffaf_segments_written", "Segments closed into the spool", labels, registry=self.registry
        )
        self._bytes = Counter(
            "seffaf_bytes_written", "Media bytes closed into the spool", labels, registry=self.registry
        )
        self._uploaded = Counter(
            "seffaf_segments_uploaded", "Segments verified in the store", labels, registry=self.registry
        )
        self._upload_failures = Counter(
            "seffaf_upload_failures", "Failed upload attempts", labels, registry=self.registry
        )
        self._reconnects = Counter("seffaf_reconnects", "Camera reconnect attempts", labels, registry=self.registry)
        self._gaps = Counter("seffaf_gaps", "Gap records written", [*labels, "cause"], registry=self.registry)
        self._upload_lag = Gauge(
            "seffaf_upload_lag_seconds",
            "Age of the oldest segment not yet in the store",
            labels,
            registry=self.registry,
        )
        self._spool_bytes = Gauge("seffaf_spool_bytes", "Bytes waiting in the spool", labels, registry=self.registry)
        self._spool_full = Gauge(
            "seffaf_spool_full", "1 while footage is refused for lack of disk", labels, registry=self.registry
        )
        self._since_packet = Gauge(
            "seffaf_seconds_since_last_packet",
            "Seconds since the camera last sent a packet",
            labels,
            registry=self.registry,
        )
        self._camera = camera
        self._last_packet = time.monotonic()
        self._since_packet.labels(camera).set_function(lambda: time.monotonic() - self._last_packet)
        self._spool_full.labels(camera).set(0)

    def serve(self, port: int, host: str = "127.0.0.1") -> None:
        start_http_server(port, addr=host, registry=self.registry)

    def packet_received(self) -> None:
        self._last_packet = time.monotonic()

    def segment_written(self, size_bytes: int) -> None:
        self._segments.labels(self._camera).inc()
        self._bytes.labels(self._camera).inc(size_bytes)

    def segment_uploaded(self) -> None:
        self._uploaded.labels(self._camera).inc()

    def upload_failed(self) -> None:
        self._upload_failures.labels(self._camera).inc()

    def reconnect(self) -> None:
        self._reconnects.labels(self._camera).inc()

    def gap(self, cause: str) -> None:
        self._gaps.labels(self._camera, cause).inc()

    def spool(self, used_bytes: int, upload_lag_s: float) -> None:
        self._spool_bytes.labels(self._camera).set(used_bytes)
        self._upload_lag.labels(self._camera).set(upload_lag_s)

    def spool_full(self, full: bool) -> None:
        self._spool_full.labels(self._camera).set(1 if full else 0)
