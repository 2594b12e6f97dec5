"""Locked (variational) dropout: one mask per sequence, shared by every time step."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="seqtk")
class LockedDropout(keras.layers.Layer):
    """Drops the same features at every time step of a sequence.

    Standard dropout draws a fresh mask per time step, which disturbs a
    recurrent network's memory; Gal & Ghahramani (2016) and AWD-LSTM draw one
    mask per sequence instead. Kept values are scaled by `1 / (1 - rate)`.

    Args:
        rate: fraction of features to drop, in `[0, 1)`.
        seed: seed of the masks.

    Call arguments:
        inputs: `(batch, time, features)`.
        training: dropout is applied only when true.

    Example:
    >>> dropped = LockedDropout(0.3)(np.ones((4, 10, 8), "float32"), training=True)
    """

    def __init__(self, rate=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"rate must be in [0, 1); received rate={rate!r}.")
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = ops.shape(inputs)
        return keras.random.dropout(
            inputs, self.rate, noise_shape=(shape[0], 1, shape[2]), seed=self.seed_generator
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config
