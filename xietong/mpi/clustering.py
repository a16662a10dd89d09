"""Records into people: connected components of the links above the threshold, built from the
strongest link down, never joining two groups that hold different valid resident IDs.

Plain connected components let one wrong link chain two people together, and a chain through
a common name and birth date can join many. A valid resident ID (right length, real date,
right GB 11643 check character) names one person, so a group that already holds one valid ID
refuses a group holding another: the weaker link loses. Mistyped IDs never take part (they
fail the check), so they never keep a person's records apart."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt


def clusters_build(
    *,
    records: int,
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
    weight: npt.NDArray[np.float64],
    valid_id: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Per record, the smallest record index of its cluster. `valid_id` is a number per record
    standing for its valid resident ID, -1 for none; the links are (left, right, weight)."""
    parent = list(range(records))
    held = valid_id.tolist()  # the valid ID a root's group holds, -1 for none
    order = np.argsort(-weight, kind="stable")
    lefts = left[order].tolist()
    rights = right[order].tolist()

    def root(x: int) -> int:
        top = x
        while parent[top] != top:
            top = parent[top]
        while parent[x] != top:  # path compression
            parent[x], x = top, parent[x]
        return top

    for a, b in zip(lefts, rights, strict=True):
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        ha, hb = held[ra], held[rb]
        if ha >= 0 and hb >= 0 and ha != hb:
            continue
        # The smaller index becomes the root, so a cluster is named by its first record.
        if rb < ra:
            ra, rb, ha, hb = rb, ra, hb, ha
        parent[rb] = ra
        if ha < 0:
            held[ra] = hb
    return np.fromiter((root(x) for x in range(records)), dtype=np.int64, count=records)
