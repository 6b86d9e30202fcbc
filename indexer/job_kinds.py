"""The kinds of job the worker runs, apart from their handlers.

Naming a kind (to queue it, to find its rows) must not import its handler: the analytics behind
analyse_segment pull in numpy, scipy and OpenCV, seconds of start-up for every `seffaf` command.
"""

from __future__ import annotations

VERIFY_SEGMENT = "verify_segment"  # indexer/worker.py verify_segment
ANALYSE_SEGMENT = "analyse_segment"  # indexer/analyse_job.py analyse_segment_job
EVALUATE_LEG = "evaluate_leg"  # policies/evaluate_job.py evaluate_leg_job
EVALUATE_IDLE = "evaluate_idle"  # policies/evaluate_job.py evaluate_idle_job
# The jobs whose subject is a segment key.
SEGMENT_JOB_KINDS = (VERIFY_SEGMENT, ANALYSE_SEGMENT)
