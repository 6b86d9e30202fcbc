"""A finding's explanation, rendered with the actual values ("operator absent 212 s (limit 120 s) from 10:14:03")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from policies.loader import PLACEHOLDER

Facts = dict[str, float | int | bool | str]


def lookup(context: Mapping[str, object], dotted: str) -> object:
    node: object = context
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(dotted)
        node = node[part]
    return node


def format_value(value: object) -> str:
    """Seconds and counts as a reviewer reads them: 212, 4.5, 0.93; never 212.00000001."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() or abs(value) >= 100:
            return str(round(value))
        if abs(value) >= 10:
            return f"{value:.1f}".rstrip("0").rstrip(".")
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def facts_used(template: str, context: Mapping[str, object]) -> Facts:
    """The values the explanation names, kept with the finding so it can be re-read later."""
    facts: Facts = {}
    for name in PLACEHOLDER.findall(template):
        value = lookup(context, name)
        if isinstance(value, bool | int | float | str):
            facts[name] = value
    return facts


def render(template: str, context: Mapping[str, object], since: datetime | None, timezone: ZoneInfo) -> str:
    text = PLACEHOLDER.sub(lambda match: format_value(lookup(context, match.group(1))), template)
    if since is not None:
        text += f" from {since.astimezone(timezone):%H:%M:%S}"
    return text
