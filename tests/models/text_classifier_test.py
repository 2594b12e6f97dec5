import keras
import numpy as np
import pytest

from seqtk.models import LanguageModel, TextClassifier, save_model_directory
from seqtk.tasks import load_model_directory
from seqtk.models.text_classifier import reversed_texts
from seqtk.tokenizers import CharTokenizer


def padded_batch(sentence, others, extra_padding=5):
    rows = [sentence] + others
    width = max(map(len, rows)) + extra_padding
    batch = np.zeros((len(rows), width), dtype="int32")
    for i, row in enumerate(rows):
        batch[i, : len(row)] = row
    return batch


class TextClassifierTest:
    @pytest.mark.parametrize("cell_type", ["lstm", "gru", "simple_rnn"])
    @pytest.mark.parametrize("pooling", ["last", "max", "mean", "concat"])
    @pytest.mark.parametrize("bidirectional", [False, True])
    def test_padding_never_changes_the_probabilities(self, cell_type, pooling, bidirectional):
        model = TextClassifier(40, num_classes=3, embedding_dim=8, hidden_dim=12, num_layers=2, cell_type=cell_type,
                               bidirectional=bidirectional, pooling=pooling, head_dim=6)
        sentence = [5, 17, 9, 33, 2, 8]
        alone = np.asarray(model.predict_probabilities(np.array([sentence], dtype="int32")))
        batch = padded_batch(sentence, [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [7]])
        inside = np.asarray(model.predict_probabilities(batch))
        np.testing.assert_allclose(inside[0], alone[0], atol=1e-5)
        np.testing.assert_allclose(inside.sum(axis=-1), 1.0, atol=1e-5)

    def test_pooling_against_numpy(self):
        model = TextClassifier(20, num_classes=2, embedding_dim=4, hidden_dim=5, pooling="concat")
        ids = np.array([[3, 4, 5, 0, 0], [6, 7, 8, 9, 10]], dtype="int32")
        mask = ids != 0
        outputs, states = model.recurrent(model.embedding(ids), mask=mask)
        pooled = np.asarray(model.pool(outputs, states, mask))
        outputs = np.asarray(outputs)
        for row, length in enumerate((3, 5)):
            real = outputs[row, :length]
            np.testing.assert_allclose(pooled[row, :5], real[-1], atol=1e-6)  # last real step
            np.testing.assert_allclose(pooled[row, 5:10], real.max(axis=0), atol=1e-6)
            np.testing.assert_allclose(pooled[row, 10:], real.mean(axis=0), atol=1e-6)

    def test_serialization_round_trip(self, tmp_path):
        model = TextClassifier(30, num_classes=2, embedding_dim=8, hidden_dim=[12, 6], num_layers=2,
                               bidirectional=True, pooling="max", head_dim=4, embedding_dropout=0.1)
        ids = np.array([[3, 4, 5, 0], [1, 2, 3, 4]], dtype="int32")
        expected = model(ids)
        tokenizer = CharTokenizer.train(["abc"])
        directory = save_model_directory(str(tmp_path / "m"), model, tokenizer, config={"labels": ["a", "b"]})
        loaded, _, config = load_model_directory(directory)
        assert isinstance(loaded, TextClassifier) and config.labels == ["a", "b"]
        assert loaded.get_config()["hidden_dim"] == [12, 6]
        np.testing.assert_allclose(loaded(ids), expected, atol=1e-6)

    def test_from_language_model_copies_embedding_and_recurrent_weights(self):
        language_model = LanguageModel(50, embedding_dim=8, hidden_dim=[16, 8], num_layers=2, tie_weights=True)
        ids = np.random.RandomState(0).randint(1, 50, (3, 7)).astype("int32")
        language_model(ids)
        model = TextClassifier.from_language_model(language_model, num_classes=2, pooling="last", head_dim=4)
        assert (model.embedding_dim, model.hidden_dim, model.num_layers) == (8, [16, 8], 2)
        np.testing.assert_array_equal(model.embedding.embeddings, language_model.embedding.embeddings)
        _, lm_states = language_model(ids, return_state=True)
        _, states = model.recurrent(model.embedding(ids))
        for lm_state, state in zip(lm_states, states, strict=True):
            np.testing.assert_allclose(state, lm_state, atol=1e-6)
        assert len(model.layer_groups()) == 4  # embedding, two LSTM layers, head
        assert sum(len(g) for g in model.layer_groups()) == len(model.trainable_variables)

    def test_from_language_model_refuses_bidirectional(self):
        language_model = LanguageModel(20, embedding_dim=4, hidden_dim=4, num_layers=1)
        language_model(np.ones((1, 2), "int32"))
        with pytest.raises(ValueError, match="reads in one direction"):
            TextClassifier.from_language_model(language_model, 2, bidirectional=True)

    def test_from_a_forward_and_a_backward_language_model_each_direction_computes_its_model(self):
        ids = np.random.RandomState(0).randint(1, 50, (3, 7)).astype("int32")
        forward = LanguageModel(50, embedding_dim=8, hidden_dim=[16, 8], num_layers=2, seed=1)
        backward = LanguageModel(50, embedding_dim=8, hidden_dim=[16, 8], num_layers=2, reverse=True, seed=2)
        forward(ids)
        backward(ids)
        model = TextClassifier.from_language_model(forward, 2, backward=backward, pooling="concat", head_dim=4)
        assert model.bidirectional and not model.reverse and model.embedding_dim == 16
        np.testing.assert_array_equal(model.embedding.embeddings[:, :8], forward.embedding.embeddings)
        np.testing.assert_array_equal(model.embedding.embeddings[:, 8:], backward.embedding.embeddings)
        # Before training, the forward directions read as the forward model and the backward directions as the
        # backward model reading the text right to left (zero rows for what each model never read).
        _, states = model.recurrent(model.embedding(ids))
        _, forward_states = forward(ids, return_state=True)
        _, backward_states = backward(ids[:, ::-1].copy(), return_state=True)
        # States come layer by layer, forward direction then backward: (h, c) each.
        for layer in range(2):
            mine = states[4 * layer: 4 * layer + 4]
            np.testing.assert_allclose(mine[0], forward_states[2 * layer], atol=1e-5)
            np.testing.assert_allclose(mine[2], backward_states[2 * layer], atol=1e-5)
        assert len(model.layer_groups()) == 4 and sum(len(g) for g in model.layer_groups()) == len(
            model.trainable_variables)
        with pytest.raises(ValueError, match="a forward language model and a backward one"):
            TextClassifier.from_language_model(backward, 2, backward=forward)
        with pytest.raises(ValueError, match="vocabulary and sizes"):
            TextClassifier.from_language_model(forward, 2, backward=LanguageModel(50, 8, [16, 4], 2, reverse=True))

    def test_reversed_texts_keeps_padding_at_the_end(self):
        ids = np.array([[3, 4, 5, 0, 0], [6, 7, 8, 9, 10], [2, 0, 0, 0, 0]], dtype="int32")
        expected = [[5, 4, 3, 0, 0], [10, 9, 8, 7, 6], [2, 0, 0, 0, 0]]
        np.testing.assert_array_equal(reversed_texts(ids), expected)

    @pytest.mark.parametrize("pooling", ["last", "concat"])
    def test_a_reverse_classifier_reads_right_to_left(self, pooling):
        forward = TextClassifier(40, num_classes=2, embedding_dim=8, hidden_dim=12, num_layers=2,
                                 bidirectional=False, pooling=pooling, seed=3)
        backward = TextClassifier.from_config({**forward.get_config(), "reverse": True})
        sentence = [5, 17, 9, 33, 2, 8]
        forward(np.array([sentence], "int32"))
        backward(np.array([sentence], "int32"))
        backward.set_weights(forward.get_weights())
        expected = np.asarray(forward.predict_probabilities(np.array([sentence[::-1]], "int32")))
        batch = padded_batch(sentence, [[1, 2, 3], [7, 8, 9, 10, 11, 12, 13, 14, 15]])
        got = np.asarray(backward.predict_probabilities(batch))
        np.testing.assert_allclose(got[0], expected[0], atol=1e-5)
        assert not np.allclose(got[0], np.asarray(forward.predict_probabilities(batch))[0], atol=1e-4)

    def test_from_a_backward_language_model_reads_backwards_and_round_trips(self, tmp_path):
        language_model = LanguageModel(30, embedding_dim=8, hidden_dim=8, num_layers=1, reverse=True)
        assert LanguageModel.from_config(language_model.get_config()).reverse
        language_model(np.ones((1, 3), "int32"))
        model = TextClassifier.from_language_model(language_model, num_classes=2)
        assert model.reverse
        ids = np.array([[3, 4, 5, 0], [1, 2, 3, 4]], dtype="int32")
        expected = model(ids)
        directory = save_model_directory(str(tmp_path / "m"), model, CharTokenizer.train(["abc"]), config={})
        loaded, _, _ = load_model_directory(directory)
        assert loaded.reverse
        np.testing.assert_allclose(loaded(ids), expected, atol=1e-6)

    def test_bad_arguments(self):
        with pytest.raises(ValueError, match="pooling must be one of"):
            TextClassifier(10, 2, pooling="attention")
        with pytest.raises(ValueError, match="num_classes must be an integer of at least 2"):
            TextClassifier(10, 1)

    def test_learns_a_keyword_task(self):
        rng = np.random.RandomState(0)
        ids = rng.randint(3, 20, (256, 10)).astype("int32")
        ids[:128, 8:] = 0  # some padding
        labels = (ids == 3).any(axis=1).astype("int32")
        model = TextClassifier(20, num_classes=2, embedding_dim=8, hidden_dim=16, pooling="max")
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
        history = model.fit(ids, labels, epochs=15, batch_size=32, verbose=0)
        assert history.history["accuracy"][-1] > 0.95
