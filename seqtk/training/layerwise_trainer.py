"""Training wrapper with a learning-rate multiplier per layer group: discriminative rates and gradual unfreezing."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="seqtk")
class LayerwiseTrainer(keras.Model):
    """Trains a model whose `layer_groups()` each get their own learning-rate multiplier.

    ULMFiT (Howard & Ruder 2018) fine-tunes lower layers more gently than
    upper ones (discriminative learning rates, each group `1/decay` of the
    one above) and unfreezes groups one at a time from the top. Both are a
    multiplier per group: after the optimizer's step, each variable moves
    `scale` times as far as the optimizer moved it. For SGD, momentum and
    Adam the step is proportional to the learning rate, so this is exactly
    a per-group learning rate; a scale of 0 freezes the group.
    `GroupScheduleCallback` sets the multipliers each epoch. They live in a
    non-trainable variable, so a checkpoint of the trainer keeps them.

    Args:
        model: a model with a `layer_groups()` method (e.g. `TextClassifier`).
        layerwise: apply the multipliers; with `False` this is plain training.

    Example:
    >>> trainer = LayerwiseTrainer(classifier)
    >>> trainer.compile(optimizer="adam", loss=..., metrics=["accuracy"])
    >>> trainer.fit(data, callbacks=[GroupScheduleCallback(decay=2.6, gradual_unfreezing=True)])
    """

    def __init__(self, model, layerwise=True, **kwargs):
        super().__init__(**kwargs)
        self.model = model
        self.layerwise = layerwise
        self.num_groups = None

    def build(self, input_shape):
        if not self.model.built:
            self.model.build(input_shape)
        self.num_groups = len(self.model.layer_groups())
        self.group_scales = self.add_weight(
            name="group_scales", shape=(self.num_groups,), initializer="ones", trainable=False
        )
        self.built = True

    def call(self, inputs, training=None):
        return self.model(inputs, training=training)

    def _variable_scales(self, variables):
        group_of = {id(v): g for g, group in enumerate(self.model.layer_groups()) for v in group}
        return [self.group_scales[group_of[id(v)]] if id(v) in group_of else 1.0 for v in variables]

    def train_step(self, data):
        if not self.layerwise:
            return super().train_step(data)
        import tensorflow as tf  # the fit loop here is TensorFlow's (this subclasses its train_step)

        variables = list(self.trainable_weights)
        before = [tf.identity(v.value) for v in variables]
        # Without the explicit edge, TensorFlow may read a variable after the optimizer has updated it.
        with tf.control_dependencies(before):
            logs = super().train_step(data)
        for variable, old, scale in zip(variables, before, self._variable_scales(variables), strict=True):
            variable.assign(old + ops.cast(scale, variable.dtype) * (variable - old))
        return logs

    def get_config(self):
        config = super().get_config()
        config.update({"model": keras.saving.serialize_keras_object(self.model), "layerwise": self.layerwise})
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["model"] = keras.saving.deserialize_keras_object(config["model"])
        return cls(**config)


def group_scales(num_groups, epoch, decay=1.0, gradual_unfreezing=False):
    """The multipliers for `epoch` (0-based): the top group 1, each lower one `1/decay` of the one above.

    With `gradual_unfreezing`, epoch `e` trains only the top `e + 1` groups; the rest are 0.
    """
    scales = []
    for group in range(num_groups):
        depth = num_groups - 1 - group  # 0 for the top group
        frozen = gradual_unfreezing and depth > epoch
        scales.append(0.0 if frozen else float(decay) ** -depth)
    return scales


class GroupScheduleCallback(keras.callbacks.Callback):
    """Sets a `LayerwiseTrainer`'s group multipliers at the start of every epoch (`group_scales`).

    A group whose multiplier is 0 is also marked non-trainable, and the train
    function is retraced when that set changes, so backpropagation stops at
    the lowest unfrozen group: the first epochs of gradual unfreezing cost a
    fraction of a full epoch. Every variable is trainable again when training ends.
    """

    def __init__(self, decay=1.0, gradual_unfreezing=False, log=None):
        super().__init__()
        self.decay = decay
        self.gradual_unfreezing = gradual_unfreezing
        self.log = log
        self._frozen = None
        self._groups = None

    def on_train_begin(self, logs=None):
        trainer = self.model
        if not trainer.built:
            trainer.build((None, None))
        if not trainer.optimizer.built:
            # Built over every variable now, so that groups unfrozen later are known to it.
            trainer.optimizer.build(trainer.trainable_variables)
        self._groups = trainer.model.layer_groups()  # taken while every group is trainable
        self._frozen = frozenset()

    def on_epoch_begin(self, epoch, logs=None):
        trainer = self.model
        scales = group_scales(trainer.num_groups, epoch, self.decay, self.gradual_unfreezing)
        trainer.group_scales.assign(scales)
        frozen = frozenset(g for g, scale in enumerate(scales) if scale == 0.0)
        if frozen != self._frozen:
            self._set_frozen(frozen)
            trainer.make_train_function(force=True)
        if self.log:
            self.log(f"Epoch {epoch + 1}: learning-rate multipliers by layer group, bottom first: "
                     + ", ".join(f"{s:.3g}" for s in scales))

    def on_train_end(self, logs=None):
        self._set_frozen(frozenset())

    def _set_frozen(self, frozen):
        for index, group in enumerate(self._groups):
            for variable in group:
                variable.trainable = index not in frozen
        self._frozen = frozen
