"""Token cross-entropy averaged over real (non-padding) target tokens, with optional label smoothing."""

import keras
from keras import ops


def _global_count(count):
    """`count` summed over the replicas of a `tf.distribute` strategy (itself without one).

    Keras sums the replicas' gradients of a "sum"-reduced loss as they are; dividing each replica's token
    sum by the token count of the whole global batch makes their sum the mean over every real token, as
    on one device, whichever replica the padding fell on.
    """
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return count
    return context.all_reduce("sum", count)


@keras.saving.register_keras_serializable(package="seqtk")
class MaskedSequenceLoss(keras.losses.Loss):
    """Mean cross-entropy over the target tokens that are not padding (id 0).

    Keras' own sparse cross-entropy would count padded steps in the mean, so
    batches of short sentences would weigh less than batches of long ones.
    With `label_smoothing` ε the target distribution puts 1-ε on the right
    token and ε spread evenly over the vocabulary (Szegedy et al. 2016).

    Args:
        label_smoothing: ε in [0, 1).

    Example:
    >>> model.compile(optimizer="adam", loss=MaskedSequenceLoss(label_smoothing=0.1))
    """

    def __init__(self, label_smoothing=0.0, name="masked_sequence_loss", **kwargs):
        kwargs.pop("reduction", None)
        super().__init__(name=name, reduction="sum", **kwargs)
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1); received label_smoothing={label_smoothing!r}.")
        self.label_smoothing = label_smoothing

    def call(self, y_true, y_pred):
        y_true = ops.cast(y_true, "int32")
        log_probs = ops.log_softmax(ops.cast(y_pred, "float32"), axis=-1)
        nll = -ops.squeeze(ops.take_along_axis(log_probs, ops.expand_dims(y_true, -1), axis=-1), -1)
        if self.label_smoothing:
            nll = (1.0 - self.label_smoothing) * nll - self.label_smoothing * ops.mean(log_probs, axis=-1)
        mask = ops.cast(ops.not_equal(y_true, 0), "float32")
        # Each real token weighs 1 / (real tokens in the batch), so the "sum" reduction is the token mean.
        return nll * mask / ops.maximum(_global_count(ops.sum(mask)), 1.0)

    def get_config(self):
        return {"name": self.name, "label_smoothing": self.label_smoothing}
