"""One record scored against candidates online, as the batch link would score the pair."""

from __future__ import annotations

from xietong.mpi.cli import DEFAULT_LINK_WEIGHT
from xietong.mpi.model import model_load
from xietong.mpi.scoring import Scorer
from xietong.patients.checkdigit import resident_id_check_char

LI = "41150219920611412" + resident_id_check_char("41150219920611412")
OTHER = "41010219800305301" + resident_id_check_char("41010219800305301")


def test_candidates_are_weighed_in_their_order_and_the_same_person_scores_above_the_link() -> None:
    scorer = Scorer(model_load())
    record = {
        "resident_id": "",
        "name": "李婧",
        "sex": "2",
        "birth_date": "1992-06-11",
        "phone": "13600000006",
        "county": "411502",
    }
    candidates = [
        {"resident_id": OTHER, "name": "王伟", "sex": "1", "birth_date": "1980-03-05"},
        {
            "resident_id": LI,
            "name": "李静",
            "sex": "2",
            "birth_date": "1992-11-06",
            "phone": "13600000006",
        },
    ]
    weights = scorer.record_score(record=record, candidates=candidates)
    assert len(weights) == 2
    assert weights[0] < 0 < DEFAULT_LINK_WEIGHT < weights[1]
    # The scorer is kept per process: a second call scores the same.
    assert scorer.record_score(record=record, candidates=candidates) == weights
    assert scorer.record_score(record=record, candidates=[]) == []
