"""Samples and how the report prints them: median and min–max, p95 where asked, and targets."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Samples:
    """The values of one figure, one per run (seconds, bytes or milliseconds)."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, values) -> "Samples":
        return cls(tuple(float(v) for v in values))

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile (share 0.95 for p95): a value that was measured."""
        ordered = sorted(self.values)
        rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
        return ordered[min(rank, len(ordered)) - 1]


def seconds(samples: Samples) -> str:
    return f"{samples.median:.2f} s ({samples.low:.2f}–{samples.high:.2f}, n={len(samples.values)})"


def millis(samples: Samples) -> str:
    return (f"{samples.median:.0f} ms ({samples.low:.0f}–{samples.high:.0f}, "
            f"n={len(samples.values)})")


def size(count: float) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.2f} MB"
    if count >= 1024:
        return f"{count / 1024:.1f} kB"
    return f"{count:.0f} B"


def sizes(samples: Samples) -> str:
    if samples.low == samples.high:
        return f"{size(samples.median)} (every run, n={len(samples.values)})"
    return (f"{size(samples.median)} ({size(samples.low)}–{size(samples.high)}, "
            f"n={len(samples.values)})")


def target(value: float, limit: float, unit: str, *, below: bool = False) -> str:
    """'met' or 'missed by …' for a value that must be at most (or below) `limit`."""
    met = value < limit if below else value <= limit
    if met:
        return "**met**"
    over = value - limit
    if unit == "s":
        return f"**missed** by {over:.2f} s ({value / limit:.1f}× the target)"
    if unit == "B":
        return f"**missed** by {size(over)}"
    return f"**missed** by {over:.1f} {unit} ({value / limit:.1f}× the target)"
