"""ActivationRegularization: AR and TAR penalties, in training only."""

import keras
import numpy as np

from seqtk.layers import ActivationRegularization


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

    def test_config_round_trip(self):
        layer = ActivationRegularization(2.0, 1.0)
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(restored) is type(layer) and restored.get_config() == layer.get_config()
