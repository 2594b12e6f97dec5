import itertools

import keras
import numpy as np
import pytest

from seqtk.layers.crf import CRF, scheme_constraints

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def built(num_tags, allowed=None, seed=0):
    crf = CRF(num_tags, allowed=allowed)
    crf.build((None, None, num_tags))
    rng = np.random.default_rng(seed)
    crf.transitions.assign(rng.normal(size=(num_tags, num_tags)).astype("float32"))
    crf.start_transitions.assign(rng.normal(size=num_tags).astype("float32"))
    crf.end_transitions.assign(rng.normal(size=num_tags).astype("float32"))
    return crf


def brute_force(crf, potentials, length, allowed=None):
    """Every tag sequence of `length` scored by hand: (log Z, best path, score of each path)."""
    transitions = crf.transitions.numpy()
    start, end = crf.start_transitions.numpy(), crf.end_transitions.numpy()
    scores = {}
    for path in itertools.product(range(crf.num_tags), repeat=length):
        if allowed is not None:
            moves, starts, ends = (np.asarray(a) for a in allowed)
            if not (starts[path[0]] and ends[path[-1]] and all(moves[a, b] for a, b in zip(path, path[1:]))):
                continue
        score = start[path[0]] + end[path[-1]] + sum(potentials[t, tag] for t, tag in enumerate(path))
        score += sum(transitions[a, b] for a, b in zip(path, path[1:]))
        scores[path] = score
    values = np.array(list(scores.values()), dtype=np.float64)
    log_z = values.max() + np.log(np.exp(values - values.max()).sum())
    return log_z, max(scores, key=scores.get), scores


@pytest.mark.parametrize("constrained", [False, True])
def test_forward_algorithm_and_viterbi_match_brute_force_on_padded_rows(constrained):
    allowed = scheme_constraints(TAGS, "BIO") if constrained else None
    crf = built(len(TAGS), allowed)
    rng = np.random.default_rng(1)
    potentials = rng.normal(size=(3, 4, len(TAGS))).astype("float32")
    lengths = [4, 2, 1]
    mask = np.arange(4)[None] < np.array(lengths)[:, None]
    log_z = keras.ops.convert_to_numpy(crf.log_partition(potentials, mask))
    best = keras.ops.convert_to_numpy(crf.decode(potentials, mask))
    for row, length in enumerate(lengths):
        expected_z, expected_best, scores = brute_force(crf, potentials[row], length, allowed)
        assert log_z[row] == pytest.approx(expected_z, abs=1e-4)
        assert tuple(best[row, :length]) == expected_best and not best[row, length:].any()
        # The likelihood of a path is its score minus log Z.
        tags = np.zeros((1, 4), "int32")
        tags[0, :length] = expected_best
        likelihood = crf.log_likelihood(potentials[row : row + 1], tags, mask[row : row + 1])
        assert float(likelihood[0]) == pytest.approx(scores[expected_best] - expected_z, abs=1e-4)


def test_padding_never_changes_a_result():
    crf = built(3, seed=2)
    rng = np.random.default_rng(3)
    alone = rng.normal(size=(1, 3, 3)).astype("float32")
    padded = np.concatenate([alone, rng.normal(size=(1, 4, 3)).astype("float32") * 50], axis=1)
    mask = np.array([[1, 1, 1, 0, 0, 0, 0]], bool)
    tags = np.array([[2, 0, 1, 2, 2, 2, 2]], "int32")
    assert float(crf.log_likelihood(padded, tags, mask)[0]) == pytest.approx(
        float(crf.log_likelihood(alone, tags[:, :3])[0]), abs=1e-5)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(crf.decode(padded, mask))[0, :3],
                                  keras.ops.convert_to_numpy(crf.decode(alone))[0])


def test_scheme_constraints_forbid_what_each_scheme_forbids():
    index = {t: i for i, t in enumerate(TAGS)}

    def move(scheme, a, b):
        return scheme_constraints(TAGS, scheme)[0][index[a]][index[b]]

    assert not move("BIO", "O", "I-PER") and move("BIO", "B-PER", "I-PER") and not move("BIO", "B-LOC", "I-PER")
    assert move("IOB1", "O", "I-PER") and not move("IOB1", "O", "B-PER") and move("IOB1", "I-PER", "B-PER")
    allowed, starts, ends = scheme_constraints(TAGS, "BIO")
    assert not starts[index["I-PER"]] and starts[index["B-PER"]] and all(ends)
    bioes = ["O", "B-PER", "I-PER", "E-PER", "S-PER"]
    allowed, starts, ends = scheme_constraints(bioes, "BIOES")
    assert allowed[1][2] and allowed[1][3] and not allowed[1][0] and not allowed[3][2] and allowed[3][4]
    assert not ends[1] and not ends[2] and ends[3] and ends[4] and not starts[2] and not starts[3]
    with pytest.raises(ValueError, match="IOB1, BIO or BIOES"):
        scheme_constraints(TAGS, "BILOU")


def test_trains_and_round_trips_through_a_keras_file(tmp_path):
    allowed = scheme_constraints(TAGS, "BIO")
    inputs = keras.Input((None, 4))
    crf = CRF(len(TAGS), allowed=allowed)
    model = keras.Model(inputs, crf(keras.layers.Dense(len(TAGS))(inputs)))
    rng = np.random.default_rng(4)
    x = rng.normal(size=(16, 6, 4)).astype("float32")
    tags = (x[..., 0] > 0).astype("int32")  # O or B-PER, learnable from the first feature
    optimizer = keras.optimizers.Adam(0.05)
    import tensorflow as tf

    @tf.function  # one traced step: the forward algorithm's scan runs as a graph loop
    def step():
        with tf.GradientTape() as tape:
            loss = -keras.ops.mean(crf.log_likelihood(model(x), tags))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)

    for _ in range(60):
        step()
    assert (keras.ops.convert_to_numpy(crf.decode(model(x))) == tags).mean() > 0.95
    model.save(tmp_path / "tagger.keras")
    loaded = keras.saving.load_model(tmp_path / "tagger.keras")
    restored = [layer for layer in loaded.layers if isinstance(layer, CRF)][0]
    assert restored.allowed == crf.allowed
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(restored.decode(loaded(x))),
                                  keras.ops.convert_to_numpy(crf.decode(model(x))))
