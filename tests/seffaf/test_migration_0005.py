"""Migration 0005: verdicts given before the review workflow keep counting as final, precision unchanged."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import MetaData, Table

from policies.finding_views import rule_precision
from seffaf.catalog.base import make_engine, make_session_factory
from seffaf.catalog.migrate import upgrade

AT = datetime(2026, 5, 4, 6, 0)  # noqa: DTZ001 (a naive value through reflected, type-less columns)


def test_verdicts_from_before_the_workflow_stay_final_and_the_latest_counts(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0004")
    with engine.begin() as connection:
        findings = Table("findings", MetaData(), autoload_with=connection)
        verdicts = Table("verdicts", MetaData(), autoload_with=connection)
        connection.execute(findings.insert().values(
            id=1, subject="leg:baku-1/2026-05-04/A1/0", rule_id="operator_absent", ruleset="asan-default",
            ruleset_version="1.0", principle="responsibility", severity="high", title="Operator away",
            center="baku-1", service_date=date(2026, 5, 4), window=7, operator="3317", ticket="A1", leg_index=0,
            visit_id=None, start=AT, end=AT, evidence=[], facts={}, explanation="away", evaluated_at=AT))  # fmt: skip
        for verdict in ("confirmed", "dismissed"):  # before 0005 the latest verdict counted, and was final
            connection.execute(verdicts.insert().values(finding_id=1, verdict=verdict, reviewer="aysel", note="",
                                                        decided_at=AT))  # fmt: skip
    upgrade(engine)
    with make_session_factory(engine)() as session:
        [stats] = rule_precision(session)
    engine.dispose()
    assert (stats.findings, stats.confirmed, stats.dismissed, stats.precision) == (1, 0, 1, 0.0)
