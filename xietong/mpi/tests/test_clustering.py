"""Clustering: components of the links, strongest first, never two valid resident IDs."""

from __future__ import annotations

import numpy as np

from xietong.mpi.clustering import clusters_build
from xietong.mpi.evaluation import pair_scores


def _clusters(links: list[tuple[int, int, float]], valid_id: list[int]) -> list[int]:
    left, right, weight = (np.array(x) for x in zip(*links, strict=True))
    return clusters_build(
        records=len(valid_id),
        left=left.astype(np.int64),
        right=right.astype(np.int64),
        weight=weight.astype(np.float64),
        valid_id=np.array(valid_id, dtype=np.int64),
    ).tolist()


def test_links_chain_records_into_one_person_named_by_the_first() -> None:
    assert _clusters([(1, 2, 9.0), (2, 3, 7.0), (4, 5, 6.0)], [-1] * 6) == [0, 1, 1, 1, 4, 4]


def test_a_chain_never_joins_two_valid_resident_ids_and_the_weaker_link_loses() -> None:
    # 0 and 2 hold different valid IDs; 1 has none and is linked to both, more strongly to 2.
    assert _clusters([(0, 1, 6.0), (1, 2, 12.0)], [10, -1, 20]) == [0, 1, 1]
    # The same valid ID on both sides joins as any link does.
    assert _clusters([(0, 1, 6.0), (1, 2, 12.0)], [10, -1, 10]) == [0, 0, 0]


def test_pairwise_precision_and_recall_against_the_truth() -> None:
    truth = np.array([0, 0, 0, 1, 1, 2])
    # One person split in two (a pair lost… two pairs of person 0 lost) and one wrong pair.
    cluster = np.array([0, 0, 5, 3, 3, 3])
    scores = pair_scores(cluster=cluster, truth=truth)
    assert scores.true_pairs == 4  # 3 pairs of person 0, 1 of person 1
    assert scores.predicted_pairs == 4  # (0,1) and the three of cluster 3
    assert scores.correct_pairs == 2
    assert scores.precision == 0.5
    assert scores.recall == 0.5
