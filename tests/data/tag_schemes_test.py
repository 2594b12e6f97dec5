import itertools

import pytest

from seqtk.data.tag_schemes import convert, spans, tags_of
from seqtk.errors import DataError

IOB1 = ["I-ORG", "I-ORG", "O", "I-PER", "B-PER", "I-PER", "O", "I-LOC"]
BIO = ["B-ORG", "I-ORG", "O", "B-PER", "B-PER", "I-PER", "O", "B-LOC"]
BIOES = ["B-ORG", "E-ORG", "O", "S-PER", "B-PER", "E-PER", "O", "S-LOC"]
ENTITIES = [("ORG", 0, 2), ("PER", 3, 4), ("PER", 4, 6), ("LOC", 7, 8)]


@pytest.mark.parametrize("scheme, tags", [("IOB1", IOB1), ("BIO", BIO), ("BIOES", BIOES)])
def test_each_scheme_reads_the_same_entities_and_converts_to_every_other(scheme, tags):
    assert spans(tags, scheme, strict=True) == ENTITIES
    for target, expected in (("IOB1", IOB1), ("BIO", BIO), ("BIOES", BIOES)):
        assert convert(tags, scheme, target, strict=True) == expected


def test_every_span_layout_round_trips_through_every_scheme():
    # All ways to lay entities of two types over four tokens, as BIO sequences.
    for tags in itertools.product(["O", "B-A", "I-A", "B-B", "I-B"], repeat=4):
        entities = spans(list(tags), "BIO")
        for scheme in ("IOB1", "BIO", "BIOES"):
            written = tags_of(entities, 4, scheme)
            assert spans(written, scheme, strict=True) == entities, (tags, scheme, written)


def test_strict_reading_names_the_invalid_tag_and_lenient_reading_follows_conlleval():
    with pytest.raises(DataError, match=r"train.txt, line 9: token 2: 'I-PER' continues no entity of its type under BIO"):
        spans(["O", "I-PER"], "BIO", strict=True, where="train.txt, line 9")
    assert spans(["O", "I-PER", "I-LOC"], "BIO") == [("PER", 1, 2), ("LOC", 2, 3)]
    with pytest.raises(DataError, match="unclosed PER entity"):
        spans(["B-PER", "O"], "BIOES", strict=True)
    with pytest.raises(DataError, match="does not follow one of its type under IOB1"):
        spans(["O", "B-PER"], "IOB1", strict=True)
    with pytest.raises(DataError, match="no entity tag"):
        spans(["NNP"], "BIO")
    with pytest.raises(DataError, match="IOB1, BIO, BIOES"):
        spans(["O"], "BILOU")
