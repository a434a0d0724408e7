"""Risk scoring: every weight, cap and level boundary, and monotone in each risk factor."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.risk import (
    RiskAssessment,
    RiskInputs,
    RiskLevel,
    assess_risk,
    level_for,
    should_warn,
    week_bounds,
)

D = Decimal
DUE = date(2025, 3, 14)


def inputs(**overrides: Any) -> RiskInputs:
    """1,000 due against 3,000 affordable, nothing else due that week, a clean record."""
    fields: dict[str, Any] = {
        "currency": "CNY",
        "amount_due": D(1000),
        "due_date": DUE,
        "days_until_due": 5,
        "affordable": D(3000),
    }
    fields.update(overrides)
    return RiskInputs(**fields)


def test_clean_record_that_fits_is_low_without_reasons() -> None:
    assessment = assess_risk(inputs())
    assert assessment == RiskAssessment(score=0, level=RiskLevel.LOW, reasons=())
    assert not should_warn(assessment)


@pytest.mark.parametrize(
    ("affordable", "score"),
    [(D(1000), 0), (D("999.99"), 50)],
)
def test_due_exceeds_affordable_only_when_strictly_more(affordable: Decimal, score: int) -> None:
    assessment = assess_risk(inputs(affordable=affordable))
    assert assessment.score == score
    if score:
        assert assessment.reasons == (
            ("due_exceeds_affordable", {"due": "1000.00", "affordable": "999.99"}),
        )
        assert assessment.level is RiskLevel.HIGH
        assert should_warn(assessment)


@pytest.mark.parametrize(
    ("other", "score"),
    [(D(2000), 0), (D("2000.01"), 25)],
)
def test_crowded_week_boundary(other: Decimal, score: int) -> None:
    assessment = assess_risk(inputs(other_due_same_week=other))
    assert assessment.score == score
    if score:
        assert assessment.reasons == (
            ("crowded_week", {"week_total": "3000.01", "affordable": "3000.00"}),
        )
        assert assessment.level is RiskLevel.LOW


def test_crowded_week_is_not_added_on_top_of_due_exceeding() -> None:
    assessment = assess_risk(inputs(affordable=D(500), other_due_same_week=D(5000)))
    assert assessment.score == 50
    assert assessment.codes == ("due_exceeds_affordable",)


@pytest.mark.parametrize(
    ("field", "count", "score"),
    [
        ("recent_late", 1, 10),
        ("recent_late", 3, 30),
        ("recent_late", 4, 30),
        ("recent_partial", 1, 10),
        ("recent_partial", 2, 20),
        ("recent_partial", 3, 20),
        ("recent_hardship", 1, 30),
        ("recent_hardship", 2, 30),
    ],
)
def test_record_weights_and_caps(field: str, count: int, score: int) -> None:
    assessment = assess_risk(inputs(**{field: count}))
    assert assessment.score == score
    assert assessment.reasons == ((field, {"count": count}),)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, RiskLevel.LOW),
        (29, RiskLevel.LOW),
        (30, RiskLevel.MEDIUM),
        (49, RiskLevel.MEDIUM),
        (50, RiskLevel.HIGH),
        (100, RiskLevel.HIGH),
    ],
)
def test_level_boundaries(score: int, level: RiskLevel) -> None:
    assert level_for(score) is level


@pytest.mark.parametrize(
    ("overrides", "score", "level", "warn"),
    [
        ({"recent_late": 2}, 20, RiskLevel.LOW, False),
        ({"recent_late": 2, "recent_partial": 1}, 30, RiskLevel.MEDIUM, False),
        ({"other_due_same_week": D(2500), "recent_late": 2}, 45, RiskLevel.MEDIUM, False),
        ({"other_due_same_week": D(2500), "recent_late": 3}, 55, RiskLevel.HIGH, True),
        ({"recent_late": 3, "recent_partial": 2}, 50, RiskLevel.HIGH, True),
        ({"recent_hardship": 1}, 30, RiskLevel.MEDIUM, True),  # medium with hardship warns
        ({"recent_hardship": 1, "recent_late": 1}, 40, RiskLevel.MEDIUM, True),
    ],
)
def test_combined_levels_and_warning(
    overrides: dict[str, Any], score: int, level: RiskLevel, warn: bool
) -> None:
    assessment = assess_risk(inputs(**overrides))
    assert (assessment.score, assessment.level, should_warn(assessment)) == (score, level, warn)


def test_score_is_capped_and_reasons_are_heaviest_first() -> None:
    assessment = assess_risk(
        inputs(affordable=D(0), recent_late=5, recent_partial=5, recent_hardship=5)
    )
    assert assessment.score == 100
    assert assessment.codes == (
        "due_exceeds_affordable",
        "recent_late",
        "recent_hardship",
        "recent_partial",
    )


def test_no_budget_is_reported_but_scores_nothing() -> None:
    assessment = assess_risk(inputs(affordable=None, other_due_same_week=D(10**6)))
    assert assessment.score == 0
    assert assessment.reasons == (("no_budget", {}),)
    assert not should_warn(assessment)
    with_hardship = assess_risk(inputs(affordable=None, recent_hardship=1))
    assert with_hardship.codes == ("recent_hardship", "no_budget")
    assert should_warn(with_hardship)


def test_amounts_in_reasons_follow_the_currency() -> None:
    assessment = assess_risk(inputs(currency="JPY", amount_due=D(5000), affordable=D("4999.4")))
    assert assessment.reasons[0].params == {"due": "5000", "affordable": "4999"}


@pytest.mark.parametrize(
    "overrides",
    [{"amount_due": D(-1)}, {"affordable": D(-1)}, {"recent_late": -1}, {"recent_hardship": -1}],
)
def test_negative_inputs_are_a_bug(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="negative"):
        inputs(**overrides)


def test_week_bounds_are_the_iso_week() -> None:
    assert week_bounds(date(2025, 3, 14)) == (date(2025, 3, 10), date(2025, 3, 16))
    assert week_bounds(date(2025, 3, 10)) == (date(2025, 3, 10), date(2025, 3, 16))
    assert week_bounds(date(2025, 3, 16)) == (date(2025, 3, 10), date(2025, 3, 16))


# --- properties ---------------------------------------------------------------------------

money = st.integers(0, 10**8).map(lambda cents: D(cents).scaleb(-2))
counts = st.integers(0, 8)


@st.composite
def risk_inputs(draw: st.DrawFn) -> RiskInputs:
    return inputs(
        amount_due=draw(money),
        affordable=draw(st.none() | money),
        other_due_same_week=draw(money),
        recent_late=draw(counts),
        recent_partial=draw(counts),
        recent_hardship=draw(counts),
    )


FAST = settings(max_examples=200, deadline=None)


@FAST
@given(risk_inputs())
def test_score_is_within_bounds_and_matches_its_level(base: RiskInputs) -> None:
    assessment = assess_risk(base)
    assert 0 <= assessment.score <= 100
    assert assessment.level is level_for(assessment.score)
    assert len(set(assessment.codes)) == len(assessment.codes)


@FAST
@given(risk_inputs(), st.sampled_from(["recent_late", "recent_partial", "recent_hardship"]))
def test_more_bad_history_never_lowers_the_score(base: RiskInputs, field: str) -> None:
    worse = dataclasses.replace(base, **{field: getattr(base, field) + 1})
    assert assess_risk(worse).score >= assess_risk(base).score


@FAST
@given(risk_inputs(), money)
def test_more_money_due_never_lowers_the_score(base: RiskInputs, extra: Decimal) -> None:
    for worse in (
        dataclasses.replace(base, amount_due=base.amount_due + extra),
        dataclasses.replace(base, other_due_same_week=base.other_due_same_week + extra),
    ):
        assert assess_risk(worse).score >= assess_risk(base).score


@FAST
@given(risk_inputs(), money)
def test_less_affordable_never_lowers_the_score(base: RiskInputs, cut: Decimal) -> None:
    if base.affordable is None:
        return
    worse = dataclasses.replace(base, affordable=max(D(0), base.affordable - cut))
    assert assess_risk(worse).score >= assess_risk(base).score
