"""TiedEmbedding: one matrix for the input embedding and the output projection."""

import keras
import numpy as np
import pytest

from seqtk.layers import TiedEmbedding


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

    def test_config_round_trip(self):
        layer = TiedEmbedding(20, 8, tie_weights=False, reverse_input_dim=16)
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(restored) is type(layer) and restored.get_config() == layer.get_config()
