"""Finding the face redactor an export uses by default, if this installation has one.

Redaction lives in seffaf/evidence/redaction.py and needs the face model; an installation
without either can still export, but only unredacted, with a permission and a stated reason.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from seffaf.evidence.redactor import Redactor

logger = logging.getLogger(__name__)
REDACTION_MODULE = "seffaf.evidence.redaction"


@dataclass(frozen=True)
class RedactorUnavailable:
    reason: str


def find_redactor() -> Redactor | RedactorUnavailable:
    """The module's `default_redactor()` if it offers one, else its FaceBlurRedactor over CenterFace."""
    try:
        module = importlib.import_module(REDACTION_MODULE)
    except ImportError as exc:
        return RedactorUnavailable(f"no redaction module: {exc}")
    try:
        factory = getattr(module, "default_redactor", None)
        if callable(factory):
            found = factory()
        else:
            from indexer.analytics.facedetect import CenterFace  # the model loads here, not at import

            found = module.FaceBlurRedactor(CenterFace())
    except Exception as exc:  # any failure to set redaction up means "no redaction here", said plainly
        logger.exception("face redaction could not be set up")
        return RedactorUnavailable(f"face redaction could not be set up: {exc}")
    if not callable(getattr(found, "redact", None)):
        return RedactorUnavailable(f"{REDACTION_MODULE} gave {type(found).__name__}, which has no redact()")
    redactor: Redactor = found
    return redactor
