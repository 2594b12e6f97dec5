"""EmbeddingDropout: whole word types dropped for a batch."""

import keras
import numpy as np

from seqtk.layers import EmbeddingDropout


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

    def test_config_round_trip(self):
        layer = EmbeddingDropout(20, 0.1)
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(restored) is type(layer) and restored.get_config() == layer.get_config()
