"""Activation regularization (AR) and temporal activation regularization (TAR)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="seqtk")
class ActivationRegularization(keras.layers.Layer):
    """Adds AR and TAR penalties on recurrent outputs (Merity et al. 2017).

    AR, `alpha * mean(h_t ** 2)`, keeps activations small; TAR,
    `beta * mean((h_t - h_{t-1}) ** 2)`, keeps them slowly changing. AWD-LSTM
    applies AR to the dropped outputs and TAR to the undropped ones, which
    is why both are inputs here. The layer returns its first input unchanged.

    Args:
        alpha: AR weight (AWD-LSTM uses 2).
        beta: TAR weight (AWD-LSTM uses 1).

    Call arguments:
        dropped: `(batch, time, features)` outputs after dropout, used for AR.
        undropped: the same outputs before dropout, used for TAR; defaults
            to `dropped`.
        training: penalties are added only when true.

    Example:
    >>> outputs = ActivationRegularization(alpha=2.0, beta=1.0)(dropped, undropped, training=True)
    """

    def __init__(self, alpha=0.0, beta=0.0, **kwargs):
        super().__init__(**kwargs)
        if alpha < 0 or beta < 0:
            raise ValueError(f"alpha and beta must be non-negative; received alpha={alpha!r}, beta={beta!r}.")
        self.alpha = alpha
        self.beta = beta
        self.supports_masking = True

    def penalty(self, dropped, undropped=None):
        undropped = dropped if undropped is None else undropped
        loss = 0.0
        if self.alpha:
            loss = loss + self.alpha * ops.mean(ops.square(ops.cast(dropped, "float32")))
        if self.beta:
            difference = ops.cast(undropped[:, 1:] - undropped[:, :-1], "float32")
            loss = loss + self.beta * ops.mean(ops.square(difference))
        return loss

    def call(self, dropped, undropped=None, training=None):
        if training and (self.alpha or self.beta):
            self.add_loss(self.penalty(dropped, undropped))
        return dropped

    def compute_output_shape(self, dropped_shape, undropped_shape=None):
        return dropped_shape

    def get_config(self):
        config = super().get_config()
        config.update({"alpha": self.alpha, "beta": self.beta})
        return config
