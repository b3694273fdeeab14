"""`--fault SPEC`: every kind, its defaults, and a one-line error naming each bad part."""

from __future__ import annotations

import pytest

from chrono_sim.errors import ConfigError
from chrono_sim.faults import FaultPlan, parse_faults
from chrono_sim.faults.plan import Delay, Stall, connection_rng


def test_nothing_is_injected_by_default() -> None:
    plan = FaultPlan()
    assert (plan.drop, plan.duplicate, plan.reorder) == (0.0, 0.0, 0.0)
    assert (plan.delay, plan.disconnect_every, plan.stall) == (None, None, None)
    assert plan.describe() == "none"


@pytest.mark.parametrize(
    ("spec", "plan"),
    [
        ("drop=0.01", FaultPlan(drop=0.01)),
        ("drop=1%", FaultPlan(drop=0.01)),
        ("drop=1", FaultPlan(drop=1.0)),
        ("duplicate=0.5%", FaultPlan(duplicate=0.005)),
        ("reorder=0.02", FaultPlan(reorder=0.02)),
        ("delay=50ms..200ms", FaultPlan(delay=Delay(minimum=0.05, maximum=0.2))),
        ("delay=0..1s", FaultPlan(delay=Delay(minimum=0.0, maximum=1.0))),
        ("delay=0.1:1s..2s", FaultPlan(delay=Delay(probability=0.1, minimum=1.0, maximum=2.0))),
        ("delay=10%:1.5s..1.5s", FaultPlan(delay=Delay(probability=0.1, minimum=1.5, maximum=1.5))),
        ("disconnect=every:30s", FaultPlan(disconnect_every=30.0)),
        ("stall=2s@10s", FaultPlan(stall=Stall(duration=2.0, offset=10.0))),
        ("stall=500ms@0", FaultPlan(stall=Stall(duration=0.5, offset=0.0))),
    ],
)
def test_each_kind_parses(spec: str, plan: FaultPlan) -> None:
    assert parse_faults(spec) == plan


def test_kinds_combine_with_commas_and_spaces_in_any_order() -> None:
    plan = parse_faults(" stall=1s@2s , DROP=0.1,delay=1s..2s ,duplicate=0.2 ")
    assert plan == FaultPlan(
        drop=0.1,
        duplicate=0.2,
        delay=Delay(minimum=1.0, maximum=2.0),
        stall=Stall(duration=1.0, offset=2.0),
    )


def test_the_description_is_one_line_naming_every_fault() -> None:
    plan = parse_faults(
        "drop=1%,duplicate=0.005,reorder=2%,delay=0.1:50ms..200ms,disconnect=every:90s,stall=2s@10s"
    )
    assert str(plan) == (
        "drop 1%, duplicate 0.5%, reorder 2%, delay 50ms..200ms (10%), "
        "disconnect every 1m30s, stall 2s at 10s"
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "fault spec '': empty item"),
        ("drop=0.1,", "empty item"),
        ("jitter=0.1", "unknown fault 'jitter': use one of drop, duplicate, reorder, delay, "),
        ("drop", "fault drop: missing value, e.g. drop=0.01"),
        ("reorder=", "fault reorder: missing value"),
        ("drop=0.1,drop=0.2", "fault drop: given twice"),
        ("drop=0", "fault drop=0: the probability must be above 0 and at most 1"),
        ("duplicate=1.5", "fault duplicate=1.5: the probability must be above 0"),
        ("reorder=-0.1", "fault reorder=-0.1: the probability must be above 0"),
        ("drop=101%", "fault drop=101%: the probability must be above 0"),
        ("drop=nan", "fault drop=nan: the probability must be above 0"),
        ("drop=often", "fault drop=often: 'often' is not a probability"),
        ("delay=1s", "fault delay=1s: use MIN..MAX or P:MIN..MAX"),
        ("delay=2s..1s", "fault delay=2s..1s: MIN must be at most MAX, and MAX above 0"),
        ("delay=0..0", "fault delay=0..0: MIN must be at most MAX, and MAX above 0"),
        ("delay=2:1s..2s", "fault delay=2:1s..2s: the probability must be above 0"),
        ("delay=soon..2s", "fault delay=soon..2s: 'soon' is not a duration"),
        ("disconnect=30s", "fault disconnect=30s: use every:DURATION"),
        ("disconnect=every:0s", "fault disconnect=every:0s: the period must be positive"),
        ("disconnect=every:x", "fault disconnect=every:x: 'x' is not a duration"),
        ("stall=2s", "fault stall=2s: use DURATION@OFFSET"),
        ("stall=0s@1s", "fault stall=0s@1s: DURATION must be positive"),
        ("stall=1s@later", "fault stall=1s@later: 'later' is not a duration"),
    ],
)
def test_a_bad_spec_is_a_config_error_naming_the_bad_part(spec: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_faults(spec)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_plan_built_directly_is_checked_too() -> None:
    with pytest.raises(ConfigError, match="fault drop"):
        FaultPlan(drop=2.0)
    with pytest.raises(ConfigError, match="fault disconnect"):
        FaultPlan(disconnect_every=0.0)


def test_each_connection_draws_its_own_reproducible_numbers() -> None:
    # The same on every run (a seed hashed with hash() would change with PYTHONHASHSEED).
    assert connection_rng(42, 1).random() == 0.9554747876119849
    assert connection_rng(42, 1).random() != connection_rng(42, 2).random()
    assert connection_rng(42, 1).random() != connection_rng(43, 1).random()
