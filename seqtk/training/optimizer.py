"""The optimizer a config names, with its clipping and weight decay."""

import keras

OPTIMIZERS = {
    "sgd": keras.optimizers.SGD,
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "rmsprop": keras.optimizers.RMSprop,
}


def make_optimizer(training, learning_rate=None):
    """The optimizer of a `TrainingConfig`; `learning_rate` (a number or a schedule) replaces its
    `learning_rate`. `clipnorm` clips the global gradient norm (0: no clipping)."""
    if training.optimizer not in OPTIMIZERS:
        raise ValueError(f"training.optimizer must be one of {sorted(OPTIMIZERS)}; received {training.optimizer!r}.")
    kwargs = {"learning_rate": training.learning_rate if learning_rate is None else learning_rate}
    if training.clipnorm:
        kwargs["global_clipnorm"] = training.clipnorm
    if training.weight_decay and training.optimizer in ("adamw", "sgd", "adam"):
        kwargs["weight_decay"] = training.weight_decay
    return OPTIMIZERS[training.optimizer](**kwargs)
