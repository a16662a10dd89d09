"""Pairwise precision and recall of clusters against the truth: of the pairs of records put
together, how many are one person; of the pairs that are one person, how many were put
together. Counted from the contingency of (cluster, person), never pair by pair."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class PairScores:
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def _pairs(groups: npt.NDArray[np.int64]) -> int:
    _, counts = np.unique(groups, return_counts=True)
    counts = counts.astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pair_scores(*, cluster: npt.NDArray[np.int64], truth: npt.NDArray[np.int64]) -> PairScores:
    both = cluster.astype(np.int64) * (int(truth.max()) + 1) + truth.astype(np.int64)
    return PairScores(
        predicted_pairs=_pairs(cluster),
        true_pairs=_pairs(truth),
        correct_pairs=_pairs(both),
    )
