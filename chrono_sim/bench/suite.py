"""The whole of `chrono bench`: every metric of issue 6, each with its target and verdict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chrono_sim.bench.scenarios import Delivery, Run, delivery, footprint, tail_startup

KIB = 1024
# The load generator's and the server's open files are capped at 20,000 each
# on the reference machine, and the server needs a few for itself.
DEFAULT_CONNECTIONS = 19_900
SATURATING_RATE = 3_000_000.0  # offered messages/s: more than one core can deliver
BASELINE_RATES = (250_000.0, SATURATING_RATE)  # the naive server at its best and saturated


@dataclass(frozen=True, slots=True)
class Row:
    metric: str
    target: str
    measured: str
    passed: bool
    figures: dict[str, float]


Progress = Callable[[str], None]


def run_suite(run: Run, *, connections: int = DEFAULT_CONNECTIONS, progress: Progress) -> list[Row]:
    """Run every metric in turn (about two minutes); `progress` hears what runs now."""
    rows = []
    progress("throughput: 200 clients x 10 symbols, saturated")
    ours = delivery(run, server="chrono", offered=SATURATING_RATE)
    progress("baseline: websockets broadcast() of json.dumps")
    baseline = max(
        (delivery(run, server="baseline", offered=rate) for rate in BASELINE_RATES),
        key=lambda phase: phase.delivered,
    )
    ratio = ours.delivered / baseline.delivered
    rows.append(
        Row(
            "messages delivered/s, 200 clients x 10 symbols",
            ">= 1,000,000 and >= 4x baseline",
            f"{ours.delivered:,.0f}/s = {ratio:.1f}x baseline {baseline.delivered:,.0f}/s"
            f" (server CPU {ours.server_cpu:.0%})",
            ours.delivered >= 1_000_000 and ratio >= 4,
            {"delivered": ours.delivered, "baseline": baseline.delivered, "ratio": ratio},
        )
    )
    for rate, limits in ((20_000.0, (1.0, 3.0, 5.0)), (100_000.0, (None, 10.0, None))):
        progress(f"latency at {rate:,.0f} messages/s")
        phase = delivery(run, server="chrono", offered=rate, latency=True)
        rows.append(_latency_row(phase, limits))
    progress("one client stops reading, the other 200 go on (saturated)")
    stalled = delivery(run, server="chrono", offered=SATURATING_RATE, stalled=1)
    loss = 1 - stalled.delivered / ours.delivered
    rows.append(
        Row(
            "one client stops reading",
            "others lose < 5%; its memory capped",
            f"others {stalled.delivered:,.0f}/s ({loss:+.1%} lost); server memory"
            f" {stalled.server_rss_growth / KIB / KIB:+.1f} MiB over {run.seconds:.0f} s",
            loss < 0.05 and stalled.server_rss_growth < 8 * KIB * KIB,
            {"delivered": stalled.delivered, "loss": loss, "rss_growth": stalled.server_rss_growth},
        )
    )
    progress(f"{connections:,} connections, subscribed, 1 update/s each")
    held = footprint(run, connections)
    rows.append(
        Row(
            "connections held, 1 update/s each",
            ">= 20,000 at <= 16 KiB each",
            f"{held.connections:,} at {held.per_connection / KIB:.1f} KiB each",
            held.connections >= 20_000 and held.per_connection <= 16 * KIB,
            {"connections": held.connections, "bytes_per_connection": held.per_connection},
        )
    )
    progress("chrono tail --snapshot: launch to first price")
    seconds = tail_startup(host=run.host, port=run.port)
    rows.append(
        Row(
            "chrono tail launch to first price",
            "<= 150 ms",
            f"{seconds * 1000:.0f} ms (median of 5)",
            seconds <= 0.150,
            {"seconds": seconds},
        )
    )
    return rows


def _latency_row(phase: Delivery, limits: tuple[float | None, float | None, float | None]) -> Row:
    names = ("p50", "p99", "p99.9")
    wanted = [f"{name} <= {limit:g} ms" for name, limit in zip(names, limits, strict=True) if limit]
    measured = phase.latency_ms
    passed = all(
        limit is None or measured.get(name, float("inf")) <= limit
        for name, limit in zip(names, limits, strict=True)
    )
    return Row(
        f"latency at {phase.offered:,.0f} messages/s (due to received)",
        ", ".join(wanted),
        ", ".join(f"{name} {measured[name]:.2f} ms" for name in names if name in measured)
        + f" ({phase.delivered:,.0f}/s delivered)",
        passed,
        dict(measured),
    )
