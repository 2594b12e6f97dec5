"""LockedDropout: one dropout mask per sequence, shared across time steps."""

import keras
import numpy as np

from seqtk.layers import LockedDropout


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

    def test_config_round_trip(self):
        layer = LockedDropout(0.3, seed=1)
        restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
        assert type(restored) is type(layer) and restored.get_config() == layer.get_config()
