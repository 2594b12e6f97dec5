"""A trained Dense layer as a function of constants, equal to the layer, for the converter."""

import keras
import numpy as np
import pytest

from seqtk.export.frozen_dense import frozen_dense


class FrozenDenseTest:
    @pytest.mark.parametrize("activation", ["linear", "relu", "tanh", "sigmoid"])
    def test_equals_the_layer(self, activation):
        layer = keras.layers.Dense(5, activation=activation)
        x = np.random.RandomState(0).randn(3, 4).astype("float32")
        expected = np.asarray(layer(x))
        np.testing.assert_allclose(np.asarray(frozen_dense(layer)(x)), expected, rtol=1e-5, atol=1e-6)

    def test_a_layer_export_cannot_handle_names_itself(self):
        import keras

        from seqtk.export.frozen_dense import frozen_dense

        layer = keras.layers.Dense(4, activation="gelu", name="head")
        layer.build((None, 3))
        with pytest.raises(ValueError, match="'head' uses activation 'gelu'"):
            frozen_dense(layer)
