import keras
import numpy as np
import pytest

from seqtk.layers import ActivationRegularization, EmbeddingDropout, LockedDropout, TiedEmbedding


class LockedDropoutTest:
    def test_mask_is_shared_across_time_and_scaled(self):
        x = np.ones((64, 20, 32), "float32")
        out = np.array(LockedDropout(0.25, seed=5)(x, training=True))
        # One mask per (sequence, feature): every time step equals the first.
        np.testing.assert_array_equal(out, np.repeat(out[:, :1], 20, axis=1))
        np.testing.assert_allclose(out[out != 0], 1 / 0.75, rtol=1e-6)
        assert abs((out[:, 0] == 0).mean() - 0.25) < 0.03
        assert abs(out.mean() - 1.0) < 0.05

    def test_identity_at_inference(self):
        x = np.random.randn(2, 3, 4).astype("float32")
        np.testing.assert_array_equal(LockedDropout(0.5)(x), x)


class EmbeddingDropoutTest:
    def test_drops_whole_word_types(self):
        ids = np.tile(np.arange(1, 51), (8, 1))
        vectors = np.ones((8, 50, 4), "float32")
        out = np.array(EmbeddingDropout(51, 0.3, seed=2)(vectors, ids, training=True))
        dropped = out[..., 0] == 0
        # A word type is dropped at every position, in every sequence, or nowhere.
        np.testing.assert_array_equal(dropped, np.repeat(dropped[:1], 8, axis=0))
        np.testing.assert_allclose(out[~dropped], 1 / 0.7, rtol=1e-6)
        assert 0.1 < dropped[0].mean() < 0.5


class TiedEmbeddingTest:
    def test_reverse_uses_transpose_of_embeddings(self):
        layer = TiedEmbedding(10, 4, use_output_bias=False)
        ids = np.array([[1, 2, 3]])
        vectors = layer(ids)
        logits = layer(vectors, reverse=True)
        matrix = np.array(layer.embeddings)
        np.testing.assert_allclose(vectors[0], matrix[[1, 2, 3]], atol=1e-6)
        np.testing.assert_allclose(logits, np.array(vectors) @ matrix.T, atol=1e-5)
        assert len(layer.weights) == 1

    def test_untied_has_separate_output_kernel(self):
        layer = TiedEmbedding(10, 4, tie_weights=False)
        layer(np.array([[1]]))
        assert {w.path.split("/")[-1] for w in layer.weights} == {"embeddings", "output_kernel", "output_bias"}

    def test_untied_reverse_projects_a_wider_hidden_state(self):
        layer = TiedEmbedding(10, 4, tie_weights=False, reverse_input_dim=12)
        layer.build()
        assert layer(np.ones((2, 3, 12), "float32"), reverse=True).shape == (2, 3, 10)
        with pytest.raises(ValueError, match="Untie the weights or match the sizes"):
            TiedEmbedding(10, 4, tie_weights=True, reverse_input_dim=12)


class ActivationRegularizationTest:
    def test_penalty_matches_numpy(self):
        dropped = np.random.RandomState(0).randn(2, 5, 3).astype("float32")
        undropped = np.random.RandomState(1).randn(2, 5, 3).astype("float32")
        layer = ActivationRegularization(alpha=2.0, beta=1.0)
        expected = 2.0 * np.mean(dropped**2) + np.mean((undropped[:, 1:] - undropped[:, :-1]) ** 2)
        np.testing.assert_allclose(float(layer.penalty(dropped, undropped)), expected, rtol=1e-5)

    def test_adds_loss_only_in_training(self):
        layer = ActivationRegularization(alpha=1.0)
        x = np.ones((1, 2, 2), "float32")
        layer(x)
        assert not layer.losses
        layer(x, training=True)
        assert len(layer.losses) == 1


@pytest.mark.parametrize(
    "layer",
    [LockedDropout(0.3, seed=1), EmbeddingDropout(20, 0.1), TiedEmbedding(20, 8, tie_weights=False, reverse_input_dim=16),
     ActivationRegularization(2.0, 1.0)],
    ids=lambda layer: type(layer).__name__,
)
def test_config_round_trip(layer):
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer)
    assert restored.get_config() == layer.get_config()
