import keras
import numpy as np
import pytest

from seqtk.models import LanguageModel, save_model_directory
from seqtk.tasks import load_model_directory
from seqtk.tokenizers import CharTokenizer


def token_batch(batch=4, time=12, vocabulary=30, seed=0):
    return np.random.RandomState(seed).randint(1, vocabulary, (batch, time)).astype("int32")


class LanguageModelTest:
    def test_shapes_and_states(self):
        model = LanguageModel(30, embedding_dim=8, hidden_dim=16, num_layers=2)
        logits, states = model(token_batch(), return_state=True)
        assert logits.shape == (4, 12, 30)
        assert [tuple(s.shape) for s in states] == [(4, 16)] * 4

    def test_tied_weights_share_the_embedding(self):
        model = LanguageModel(30, embedding_dim=8, hidden_dim=16, num_layers=2, tie_weights=True)
        model(token_batch())
        assert model.recurrent.hidden_dims == [16, 8]
        names = [w.path for w in model.weights]
        assert not any("output_kernel" in n for n in names)

    def test_untied_output_reads_the_full_hidden_state(self):
        model = LanguageModel(30, embedding_dim=8, hidden_dim=16, num_layers=1)
        ids = token_batch()
        logits = model(ids)
        outputs, _ = model.recurrent(model.embedding(ids))
        expected = np.array(outputs) @ np.array(model.embedding.output_kernel) + np.array(model.embedding.output_bias)
        assert model.embedding.output_kernel.shape == (16, 30)
        np.testing.assert_allclose(logits, expected, atol=1e-5)

    def test_step_by_step_equals_whole_sequence(self):
        model = LanguageModel(30, embedding_dim=8, hidden_dim=16, num_layers=2, cell_type="gru")
        ids = token_batch(batch=2, time=6)
        whole = model(ids)
        states, steps = None, []
        for t in range(6):
            logits, states = model(ids[:, t : t + 1], states=states, return_state=True)
            steps.append(logits)
        np.testing.assert_allclose(np.concatenate(steps, axis=1), whole, atol=1e-5)

    def test_jit_compile_gives_the_same_loss(self):
        ids = token_batch(batch=8, time=10)
        losses = []
        for jit in (False, True):
            keras.utils.set_random_seed(3)
            model = LanguageModel(30, embedding_dim=8, hidden_dim=16, num_layers=2, seed=3)
            model.compile(optimizer=keras.optimizers.SGD(0.5, global_clipnorm=5.0),
                          loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=jit)
            history = model.fit(ids, ids, batch_size=4, epochs=2, verbose=0, shuffle=False)
            losses.append(history.history["loss"])
        np.testing.assert_allclose(losses[0], losses[1], rtol=1e-5)
        assert losses[0][1] < losses[0][0]

    def test_default_compile_clips_gradients_and_learns(self):
        model = LanguageModel(30, embedding_dim=8, hidden_dim=16, num_layers=1)
        model.compile()
        assert model.optimizer.global_clipnorm == 5.0
        ids = token_batch(batch=8, time=10)
        history = model.fit(ids, ids, batch_size=4, epochs=3, verbose=0)
        assert history.history["loss"][-1] < history.history["loss"][0]

    def test_regularizers_only_act_in_training(self):
        model = LanguageModel(30, embedding_dim=8, hidden_dim=16, num_layers=2, dropout=0.5, input_dropout=0.5,
                              output_dropout=0.5, embedding_dropout=0.2, weight_dropout=0.5,
                              activation_regularization=2.0, temporal_activation_regularization=1.0)
        ids = token_batch()
        np.testing.assert_allclose(model(ids), model(ids))
        inference = model(ids)
        assert not np.allclose(model(ids, training=True), inference)
        assert len(model.losses) == 1 and float(model.losses[0]) > 0

    def test_model_directory_round_trip(self, tmp_path):
        tokenizer = CharTokenizer.train(["hello world\n"])
        model = LanguageModel(tokenizer.vocabulary_size, embedding_dim=8, hidden_dim=16, num_layers=1,
                              tie_weights=True, weight_dropout=0.2)
        ids = np.array([tokenizer.encode("hello")])
        expected = model(ids)
        directory = save_model_directory(tmp_path / "lm", model, tokenizer, config={"name": "lm"},
                                         metrics={"x": 1}, model_card="# lm\n")
        restored, restored_tokenizer, config = load_model_directory(directory)
        np.testing.assert_allclose(restored(ids), expected, atol=1e-6)
        assert restored.get_config() == model.get_config()
        assert restored_tokenizer.encode("hello") == tokenizer.encode("hello") and config.name == "lm"
        assert sorted(p.name for p in (tmp_path).iterdir()) == ["lm"]

    def test_failed_save_keeps_the_previous_model(self, tmp_path, monkeypatch):
        tokenizer = CharTokenizer.train(["ab\n"])
        model = LanguageModel(tokenizer.vocabulary_size, embedding_dim=4, hidden_dim=4, num_layers=1)
        model(np.array([[1]]))
        save_model_directory(tmp_path / "lm", model, tokenizer, metrics={"version": 1})

        def broken_save(*args, **kwargs):
            raise OSError("disk full")

        monkeypatch.setattr(type(tokenizer), "save", broken_save)
        with pytest.raises(OSError, match="disk full"):
            save_model_directory(tmp_path / "lm", model, tokenizer, metrics={"version": 2})
        assert sorted(p.name for p in tmp_path.iterdir()) == ["lm"]
        assert '"version": 1' in (tmp_path / "lm" / "metrics.json").read_text()

    def test_directory_without_model_is_a_clear_error(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="not a seqtk model directory"):
            load_model_directory(tmp_path)


class MixedPrecisionTest:
    def test_bfloat16_policy_trains_with_float32_logits(self):
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
        try:
            model = LanguageModel(30, embedding_dim=8, hidden_dim=16, num_layers=2, dropout=0.2)
            model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                          jit_compile=True)
            ids = token_batch(batch=8, time=10)
            history = model.fit(ids, ids, batch_size=4, epochs=3, verbose=0)
            logits, states = model(ids, return_state=True)
            assert logits.dtype == "float32" and states[0].dtype == "bfloat16"
            assert model.recurrent.directions[0][0].kernel.dtype == "float32"
            assert history.history["loss"][-1] < history.history["loss"][0]
        finally:
            keras.mixed_precision.set_global_policy("float32")
