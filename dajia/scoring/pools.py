"""Pool arithmetic: one group's (or the pooled panel's) totals → its score, and how one sheet moves it.

A *pool* is the sorted totals (integer tenths) of the sheets that count for one project within one group, or
for the whole panel when there are no group weights. Everything is integers: a pool's score is a pair
num/den, and group scores are combined as exact ratios, so nothing is rounded until a figure is reported.

Shared by the tally (:mod:`dajia.scoring.engine`) and leave-one-out (:mod:`dajia.scoring.diagnostics`), which
must agree exactly: leave-one-out is the tally without one evaluator's sheets, computed without re-tallying.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from operator import itemgetter
from typing import TypeVar

from dajia.scoring.numbers import _hundredths

T = TypeVar("T")


def _gather(values: Sequence[T] | Mapping[int, T], positions: Sequence[int]) -> Sequence[T]:
    """values[p] for each position p (a pool's totals, an evaluator's sheets) in one C call: the tally and
    the diagnostics read lists of 20,000 sheets this way hundreds of times."""
    if len(positions) < 2:  # itemgetter of one key gives the value itself, of none is an error
        return [values[p] for p in positions]
    return itemgetter(*positions)(values)


def _pool_ratio(totals: list[int], method: str, trim_min: int) -> tuple[int, int]:
    """The method applied to one pool's sorted totals (tenths), as num/den in points.

    ``trimmed``: with n ≥ trim_min drop one lowest and one highest and average the rest, else the plain mean.
    ``median``: the middle total, or the mean of the two middle totals when n is even.
    """
    n = len(totals)
    if method == "median":
        mid = n // 2
        if n % 2:
            return totals[mid], 10
        return totals[mid - 1] + totals[mid], 20
    total = sum(totals)
    if method == "trimmed" and n >= trim_min:
        return total - totals[0] - totals[-1], (n - 2) * 10
    return total, n * 10


def _pool_ratio_without(
    totals: list[int], total: int, removed: int, method: str, trim_min: int
) -> tuple[int, int] | None:
    """Like :func:`_pool_ratio` for the pool without one occurrence of ``removed``, in O(log n)."""
    n = len(totals) - 1
    if n == 0:
        return None
    if method == "median":
        pos = bisect_left(totals, removed)

        def at(k: int) -> int:
            return totals[k] if k < pos else totals[k + 1]

        mid = n // 2
        if n % 2:
            return at(mid), 10
        return at(mid - 1) + at(mid), 20
    rest = total - removed
    if method == "trimmed" and n >= trim_min:
        low = totals[1] if removed == totals[0] else totals[0]
        high = totals[-2] if removed == totals[-1] else totals[-1]
        return rest - low - high, (n - 2) * 10
    return rest, n * 10


def _combine(parts: Iterable[tuple[int, int, int]]) -> tuple[int, int]:
    """Weighted mean of group scores given as (integer weight, num, den); the weights are renormalised.

    Dividing by the sum of the weights of the groups present *is* the renormalisation: a group that did not
    score the project simply is not among the parts.
    """
    num, den, weight_sum = 0, 1, 0
    for weight, n, d in parts:
        num = num * d + weight * n * den
        den *= d
        weight_sum += weight
    return num, den * weight_sum


def _integer_weights(weights: Mapping[str, Fraction]) -> dict[str, int]:
    """Scale the weights to integers with the same ratios (exactly), so combination stays in integers."""
    common = 1
    for weight in weights.values():
        common = common * weight.denominator // math.gcd(common, weight.denominator)
    return {name: int(weight * common) for name, weight in weights.items()}


def _weighted_sum(parts: Iterable[tuple[int, int, int]]) -> tuple[int, int]:
    """Σ weight × num/den of (integer weight, num, den) parts, as num/den (not divided by the weights)."""
    num, den = 0, 1
    for weight, n, d in parts:
        num = num * d + weight * n * den
        den *= d
    return num, den


# A project's rounded score once one total t is taken out of one of its pools: (P − Q·t) // R hundredths, or
# None when the project would have no counted sheet left.
Step = tuple[int, int, int] | None


def _removal_steps(
    totals: list[int],
    total: int,
    method: str,
    trim_min: int,
    weight: int,
    others: Sequence[tuple[int, int, int]],
) -> tuple[list[int], list[Step]]:
    """The project's hundredths without one total t of this pool, for every t the pool holds, as a function.

    Returns ``bounds`` and ``steps``: for t, ``steps[bisect_left(bounds, t)]`` gives (P, Q, R) with the
    hundredths (P − Q·t) // R, exactly what :func:`_pool_ratio_without`, :func:`_combine` and ``_hundredths``
    give for that t. ``others`` are the (weight, num, den) of the project's other pools, which the removal
    leaves alone. Why a function: leave-one-out asks this for every sheet (20,000 in a large session), and
    the pool's ratio without t is either constant or (A − t)/D in t over a few ranges of t:

    * ``mean`` (and ``trimmed`` below trim_min): (sum − t) / (n − 1) for every t;
    * ``trimmed``: removing the lowest or the highest total changes which totals are dropped (two constants);
      any total between them leaves the dropped ones in place: (sum − low − high − t) / (n − 3);
    * ``median``: the middle of what remains depends only on whether t is below, at or above the middle
      (two or three constants).
    """
    n = len(totals)
    o_num, o_den = _weighted_sum(others)
    weight_sum = weight + sum(w for w, _, _ in others)

    def exact(t: int) -> tuple[int, int, int] | None:
        ratio = _pool_ratio_without(totals, total, t, method, trim_min)
        return None if ratio is None else (ratio[0], 0, ratio[1])

    bounds: list[int]
    pieces: list[tuple[int, int, int] | None]  # the pool's ratio without t: (A − c·t) / D as (A, c, D)
    if n == 1:
        bounds, pieces = [], [None]
    elif method == "median":
        mid = (n - 1) // 2
        bounds = [totals[mid]] if (n - 1) % 2 else [totals[mid - 1], totals[mid]]
        pieces = [exact(t) for t in bounds] + [exact(bounds[-1] + 1)]
    elif method == "trimmed" and n - 1 >= trim_min:
        low, high = totals[0], totals[-1]
        if low == high:
            bounds, pieces = [], [exact(low)]
        else:
            bounds = [low, high - 1]
            pieces = [exact(low), (total - low - high, 1, (n - 3) * 10), exact(high)]
    else:
        bounds, pieces = [], [(total, 1, (n - 1) * 10)]

    steps: list[Step] = []
    for piece in pieces:
        if piece is None:
            # The pool is empty without t: the project's score is that of its other groups, renormalised.
            rest = weight_sum - weight
            steps.append(None if not others else (_hundredths(o_num, o_den * rest), 0, 1))
            continue
        a, c, d = piece
        # score = (weight × (A − c·t)/D + o_num/o_den) / weight_sum = N(t) / den, and the hundredths are
        # (200 N + den) // (2 den), as _hundredths computes them.
        den = d * o_den * weight_sum
        p, q, r = 200 * (weight * o_den * a + o_num * d) + den, 200 * weight * o_den * c, 2 * den
        g = math.gcd(p, q, r)  # smaller integers, the same quotients: cheaper for every sheet
        steps.append((p // g, q // g, r // g))
    return bounds, steps
