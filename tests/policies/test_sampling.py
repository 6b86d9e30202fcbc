"""Random review samples: the same seed draws the same legs, the rate holds per operator, small operators get some."""

from __future__ import annotations

from collections import Counter

import pytest

from policies.sampling import Candidate, draw, sample_score, seed_id

SEED = b"a secret seed of the centre"


def legs(operator: str, count: int, day: str = "2026-05-04") -> list[Candidate]:
    return [Candidate(f"leg:baku-1/{day}/A{n:03d}/0", operator) for n in range(count)]


def per_operator(drawn: list[Candidate]) -> Counter[str]:
    return Counter(c.operator for c in drawn)


def test_the_same_seed_draws_the_same_legs_in_any_order_and_another_seed_others() -> None:
    pool = legs("3317", 400) + legs("4410", 400, day="2026-05-05")
    first = draw(pool, SEED, 0.1)
    assert draw(list(reversed(pool)), SEED, 0.1) == first
    assert draw(pool + pool[:50], SEED, 0.1) == first  # a leg offered twice is still one leg
    assert draw(pool, b"another secret seed", 0.1) != first
    assert seed_id(SEED) == seed_id(SEED) != seed_id(b"another secret seed") and SEED.hex() not in seed_id(SEED)


@pytest.mark.parametrize(("rate", "count"), [(0.02, 5000), (0.1, 2000), (0.5, 1000), (1.0, 300)])
def test_the_rate_holds_for_each_operator_within_tolerance(rate: float, count: int) -> None:
    pool = legs("3317", count) + legs("4410", count, day="2026-05-06")
    drawn = per_operator(draw(pool, SEED, rate))
    # Binomial: within 4 standard deviations (or exact at rate 1).
    tolerance = 4 * (count * rate * (1 - rate)) ** 0.5
    for operator in ("3317", "4410"):
        assert abs(drawn[operator] - count * rate) <= tolerance, (operator, drawn[operator])


def test_a_leg_is_drawn_on_its_own_score_so_more_legs_or_a_higher_rate_only_add() -> None:
    pool = legs("3317", 300)
    low = set(draw(pool, SEED, 0.05))
    assert low <= set(draw(pool, SEED, 0.2))
    assert low <= set(draw(pool + legs("3317", 300, day="2026-05-07"), SEED, 0.05))
    assert all(sample_score(SEED, c.subject) < 0.05 for c in low)


@pytest.mark.parametrize(
    ("pool", "rate", "minimum", "expected"),
    [
        (legs("3317", 3), 0.01, 1, {"3317": 1}),  # few legs: topped up to the minimum (the lowest score)
        (legs("3317", 3) + legs("4410", 2, "2026-05-05"), 0.01, 2, {"3317": 2, "4410": 2}),
        (legs("3317", 2), 0.01, 5, {"3317": 2}),  # never more than the operator served
        (legs("3317", 50), 0.0, 3, {}),  # rate 0 switches sampling off, minimum or not
        (legs("3317", 50), 1.0, 0, {"3317": 50}),
        ([], 0.5, 1, {}),
    ],
)
def test_small_operators_get_the_minimum(pool: list[Candidate], rate: float, minimum: int,
                                         expected: dict[str, int]) -> None:  # fmt: skip
    drawn = draw(pool, SEED, rate, minimum)
    assert dict(per_operator(drawn)) == expected
    assert draw(pool, SEED, rate, minimum) == drawn


def test_the_top_up_takes_the_lowest_scores() -> None:
    pool = legs("3317", 20)
    [chosen] = draw(pool, SEED, 0.0001, 1)
    assert chosen == min(pool, key=lambda c: sample_score(SEED, c.subject))


def test_a_rate_outside_0_to_1_is_refused() -> None:
    with pytest.raises(ValueError, match="rate"):
        draw(legs("3317", 2), SEED, 1.5)
