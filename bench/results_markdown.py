"""Render benchmark results (bench.results) as bench/RESULTS.md: pure, from typed rows to text."""

from __future__ import annotations

from datetime import datetime

from bench.results import Line, Machine, SearchSection, Section, format_number

MET = {True: "met", False: "**not met**", None: ""}


def _when(at: datetime | None) -> str:
    return "" if at is None else at.strftime("%Y-%m-%d %H:%M UTC")


def _value(value: float, unit: str) -> str:
    return f"{format_number(value)} {unit}".strip()


def line_row(line: Line) -> str:
    anchor = f"{line.anchor} {_value(line.anchor_value, line.unit)}" if line.anchor_value is not None else ""
    ratio = "" if line.ratio is None else f"{line.ratio:.2f}"
    target = "" if line.target is None else line.target.text(line.unit)
    return f"| {line.figure} | {_value(line.value, line.unit)} | {anchor} | {ratio} | {target} | {MET[line.met]} |"


def section_markdown(section: Section) -> list[str]:
    out = [f"## {section.title}", "", f"`{section.command}`" + (
        f" — measured {_when(section.measured_at)}" if section.measured_at else ""), ""]  # fmt: skip
    out += ["| figure | seffaf | anchor (same run) | ratio | target | |", "|---|---|---|---|---|---|"]
    if section.missing is not None:
        out.append(f"| {section.title.lower()} | {section.missing} | | | | |")
    else:
        out += [line_row(line) for line in section.lines]
    if section.notes:
        out += [""] + [f"- {note}" for note in section.notes]
    return [*out, ""]


def search_markdown(search: SearchSection) -> list[str]:
    sessions = f"{search.sessions:,} generated sessions, " if search.sessions else ""
    out = ["## Search", "", "`python -m bench.search` — " + sessions + "searched over HTTP one request at a time as a "
           f"reviewer scoped to three centres and as an admin; target p95 {search.target.text('ms')}.", ""]  # fmt: skip
    for db in search.databases:
        loads = " → ".join(f"{x:.1f}" for x in db.load_average)
        out.append(f"- {db.database}: from `{db.source}`, measured {_when(db.measured_at)}"
                   + (f", 1-min load average {loads}" if loads else ""))  # fmt: skip
    out += [
        "",
        "| search | database | role | n | p50 ms | p95 ms | SQL p95 ms | p95 target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for db in search.databases:
        for row in db.rows:
            errors = f" ({row.errors} errors)" if row.errors else ""
            out.append(f"| {row.what} | {db.database} | {row.role} | {row.requests} | {row.p50_ms:.1f} | "
                       f"{row.p95_ms:.1f} | {row.sql_p95_ms:.1f} | {MET[search.met(row)]}{errors} |")  # fmt: skip
    for database, why in search.missing.items():
        out.append(f"| all searches | {database} | | | {why} | | | |")
    met = sum(1 for db in search.databases for row in db.rows if search.met(row))
    total = sum(len(db.rows) for db in search.databases)
    if total:
        out += ["", f"p95 target met by {met} of {total} (search, database, role) rows."]
    return [*out, ""]


def summary_markdown(sections: list[Section], search: SearchSection) -> list[str]:
    """One row per figure that has a target, so met / not met is visible at a glance."""
    out = [
        "## Summary",
        "",
        "| benchmark | figure | seffaf | ratio to anchor | target | |",
        "|---|---|---|---|---|---|",
    ]
    for section in sections:
        if section.missing is not None:
            out.append(f"| {section.title} | | {section.missing} | | | |")
        for line in (x for x in section.lines if x.target is not None):
            ratio = "" if line.ratio is None else f"{line.ratio:.2f}"
            target = line.target.text(line.unit) if line.target else ""
            out.append(f"| {section.title} | {line.figure} | {_value(line.value, line.unit)} | {ratio} | "
                       f"{target} | {MET[line.met]} |")  # fmt: skip
    for db in search.databases:
        worst = max(db.rows, key=lambda r: r.p95_ms, default=None)
        if worst is not None:
            met = sum(1 for r in db.rows if search.met(r))
            out.append(f"| Search | worst p95, {db.database} ({worst.what}, {worst.role}); "
                       f"{met}/{len(db.rows)} met | {worst.p95_ms:.1f} ms | | p95 {search.target.text('ms')} | "
                       f"{MET[search.met(worst)]} |")  # fmt: skip
    for database, why in search.missing.items():
        out.append(f"| Search | {database} | {why} | | | |")
    return [*out, ""]


def render(sections: list[Section], search: SearchSection, machine: Machine, generated_at: datetime) -> str:
    load = "" if machine.load_average is None else (
        ", load average at rendering " + " / ".join(f"{x:.2f}" for x in machine.load_average))  # fmt: skip
    head = [
        "# Benchmark results",
        "",
        f"Generated {_when(generated_at)} by `python -m bench.run_all` from `bench/out/*.json`; machine: "
        f"{machine.cores} cores{load}. Each figure is beside an anchor measured in the same run on the same "
        "machine; ratio = seffaf / anchor. The machine is shared, so timings carry other work's load.",
        "",
    ]  # fmt: skip
    body = summary_markdown(sections, search)
    for section in sections:
        body += section_markdown(section)
    body += search_markdown(search)
    return "\n".join(head + body).rstrip() + "\n"
