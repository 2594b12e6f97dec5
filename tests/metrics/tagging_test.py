import pytest

from seqtk.data.tag_schemes import convert
from seqtk.errors import DataError
from seqtk.metrics.tagging import entity_scores, token_accuracy

# A CoNLL-2003-style fixture (IOB1, as eng.train writes it), counted by conlleval's rules:
# gold entities: ORG(0-2) PER(3-4) PER(4-6) LOC(7-8) | MISC(0-1) PER(2-3)          -> 6
# predicted:     ORG(0-2) PER(3-6)          LOC(7-8) | MISC(0-1) ORG(2-3) LOC(4-5) -> 6
# correct (same span and type): ORG, LOC, MISC                                     -> 3
# which conlleval reports as precision 50.00%, recall 50.00%, FB1 50.00 (its rules applied by hand: an I- tag
# after O or another type opens an entity, B- opens one, and a span counts with exact boundaries and type).
GOLD = [["I-ORG", "I-ORG", "O", "I-PER", "B-PER", "I-PER", "O", "I-LOC"], ["I-MISC", "O", "I-PER", "O", "O"]]
PREDICTED = [["I-ORG", "I-ORG", "O", "I-PER", "I-PER", "I-PER", "O", "I-LOC"], ["I-MISC", "O", "I-ORG", "O", "I-LOC"]]


def test_entity_scores_count_like_conlleval():
    scores = entity_scores(GOLD, PREDICTED)
    assert scores["precision"] == pytest.approx(3 / 6) and scores["recall"] == pytest.approx(3 / 6)
    assert scores["f1"] == pytest.approx(0.5) and scores["entities"] == 6
    per_type = scores["per_type"]
    # PER: 3 gold, 1 predicted (the merged 3-6 span), none right; ORG: 1 gold, 2 predicted, 1 right.
    assert per_type["PER"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 3}
    assert per_type["ORG"]["precision"] == pytest.approx(0.5) and per_type["ORG"]["recall"] == 1.0
    assert per_type["LOC"]["precision"] == pytest.approx(0.5) and per_type["MISC"]["f1"] == 1.0


@pytest.mark.parametrize("scheme", ["BIO", "BIOES"])
def test_the_same_entities_score_the_same_in_every_scheme(scheme):
    rewritten = lambda sentences: [convert(s, "IOB1", scheme) for s in sentences]  # noqa: E731
    assert entity_scores(rewritten(GOLD), rewritten(PREDICTED)) == entity_scores(GOLD, PREDICTED)


def test_token_accuracy_and_length_mismatch():
    assert token_accuracy([["NOUN", "VERB"], ["DET"]], [["NOUN", "NOUN"], ["DET"]]) == pytest.approx(2 / 3)
    with pytest.raises(DataError, match="sentence 2: 1 gold tag"):
        token_accuracy([["A"], ["B"]], [["A"], ["B", "C"]])
    with pytest.raises(DataError, match="sentence 1: 2 gold tag"):
        entity_scores([["O", "O"]], [["O"]])
