"""What a configured object store can do beyond plain objects: object lock (legal holds) and versioning."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoreCapabilities:
    """Found out by asking the store (`ObjectStore.capabilities()`), never assumed from its kind."""

    kind: str  # "local" | "s3"
    object_lock: bool  # per-object legal holds can be set, and the store refuses to destroy a held object
    versioning: bool  # a plain delete leaves older versions (the store deletes every version of a key)
    detail: str  # one sentence for `seffaf doctor`: what was asked and what it answered
