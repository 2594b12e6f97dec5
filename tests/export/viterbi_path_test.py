import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seqtk.export.viterbi_path import viterbi_path
from seqtk.layers.crf import CRF, scheme_constraints


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 12), st.integers(0, 2**31 - 1))
def test_the_numpy_search_finds_the_crf_layers_path(length, seed):
    rng = np.random.default_rng(seed)
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    crf = CRF(len(tags), allowed=scheme_constraints(tags, "BIO"))
    crf.build((None, None, len(tags)))
    for weight in crf.weights:
        weight.assign(rng.normal(size=weight.shape).astype("float32"))
    scores = rng.normal(size=(1, length, len(tags))).astype("float32")
    transitions, start, end = (np.asarray(t) for t in crf._scores("float32"))
    path = viterbi_path(scores[0], transitions, start, end)
    np.testing.assert_array_equal(path, np.asarray(crf.decode(scores))[0])


def test_the_path_has_the_best_score_of_all_sequences():
    import itertools

    rng = np.random.default_rng(3)
    scores, transitions = rng.normal(size=(4, 3)), rng.normal(size=(3, 3))
    start, end = rng.normal(size=3), rng.normal(size=3)

    def total(path):
        return (start[path[0]] + end[path[-1]] + sum(scores[t, tag] for t, tag in enumerate(path))
                + sum(transitions[a, b] for a, b in zip(path, path[1:])))

    best = max(itertools.product(range(3), repeat=4), key=total)
    assert tuple(viterbi_path(scores, transitions, start, end)) == best
