import keras
import numpy as np
import pytest
import tensorflow as tf

from seqtk.layers.crf import scheme_constraints
from seqtk.models.sequence_tagger import SequenceTagger

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def batch(rng, sentences=6, time=7, chars=5):
    lengths = rng.integers(1, time + 1, sentences)
    token_ids = np.zeros((sentences, time), "int32")
    char_ids = np.zeros((sentences, time, chars), "int32")
    for row, length in enumerate(lengths):
        token_ids[row, :length] = rng.integers(1, 30, length)
        for column in range(length):
            char_ids[row, column, : rng.integers(1, chars + 1)] = rng.integers(1, 12)
    return token_ids, char_ids


@pytest.mark.parametrize("crf", [True, False])
def test_padding_never_changes_the_scores_or_tags(crf):
    model = SequenceTagger(30, len(TAGS), char_vocabulary_size=12, embedding_dim=8, char_embedding_dim=4,
                           char_hidden_dim=4, hidden_dim=8, crf=crf, seed=1,
                           allowed=scheme_constraints(TAGS, "BIO") if crf else None)
    token_ids, char_ids = batch(np.random.default_rng(0))
    scores = keras.ops.convert_to_numpy(model((token_ids, char_ids)))
    tags = keras.ops.convert_to_numpy(model.decode((token_ids, char_ids)))
    for row in range(len(token_ids)):
        length = int((token_ids[row] > 0).sum())
        alone = (token_ids[row : row + 1, :length], char_ids[row : row + 1, :length])
        np.testing.assert_allclose(keras.ops.convert_to_numpy(model(alone))[0], scores[row, :length], atol=1e-5)
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(model.decode(alone))[0], tags[row, :length])
        assert not tags[row, length:].any()


def test_learns_a_tagging_rule_and_round_trips_through_a_keras_file(tmp_path):
    rng = np.random.default_rng(2)
    token_ids, char_ids = batch(rng, sentences=32)
    # The tag depends on the word (id < 10: B-PER) and on its first character (odd: B-LOC).
    tags = np.where(token_ids == 0, 0, np.where(token_ids < 10, 1, np.where(char_ids[..., 0] % 2 == 1, 3, 0)))
    model = SequenceTagger(30, len(TAGS), char_vocabulary_size=12, embedding_dim=16, char_embedding_dim=8,
                           char_hidden_dim=8, hidden_dim=16, crf=True, allowed=scheme_constraints(TAGS, "BIO"), seed=3)
    optimizer = keras.optimizers.Adam(0.02)
    mask = token_ids != 0

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = model.tag_loss(tags, model((token_ids, char_ids), training=True), mask)
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)
        return loss

    first = float(step())
    for _ in range(150):
        last = float(step())
    predicted = keras.ops.convert_to_numpy(model.decode((token_ids, char_ids)))
    assert last < first / 5 and (predicted[mask] == tags[mask]).mean() > 0.97
    model.save(tmp_path / "tagger.keras")
    loaded = keras.saving.load_model(tmp_path / "tagger.keras")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(loaded.decode((token_ids, char_ids))), predicted)


def test_spelling_each_distinct_word_once_gives_the_same_scores_and_gradients():
    from seqtk.data.tagging_dataset import pad_tagged

    model = SequenceTagger(30, len(TAGS), char_vocabulary_size=12, embedding_dim=8, char_embedding_dim=4,
                           char_hidden_dim=4, hidden_dim=8, crf=True, seed=1)
    token_ids, char_ids = batch(np.random.default_rng(3))
    encoded = [(token_ids[r][token_ids[r] > 0], char_ids[r][token_ids[r] > 0]) for r in range(len(token_ids))]
    words, spellings, index = pad_tagged(encoded, pad_multiple=7)
    assert len(np.unique(index[words > 0])) < int((words > 0).sum())  # some words repeat: spelled once
    tags = np.random.default_rng(4).integers(0, len(TAGS), token_ids.shape).astype("int32")

    def loss_and_gradients(inputs):
        with tf.GradientTape() as tape:
            loss = model.compute_loss(inputs, tags, model(inputs, training=False))
        return loss, tape.gradient(loss, model.trainable_variables)

    in_place, grads = loss_and_gradients((token_ids, char_ids))
    once, grads_once = loss_and_gradients((words, spellings, index))
    np.testing.assert_allclose(float(once), float(in_place), rtol=1e-5)
    for a, b in zip(grads, grads_once, strict=True):
        np.testing.assert_allclose(tf.convert_to_tensor(a).numpy(), tf.convert_to_tensor(b).numpy(), atol=1e-5)
