"""Callbacks for recurrent training: carried-state resets, language-model metrics, time budgets."""

import math
import time

import keras


class ResetStatesCallback(keras.callbacks.Callback):
    """Zeroes a `CarriedStateModel`'s carry at the start of each epoch and of validation."""

    def on_epoch_begin(self, epoch, logs=None):
        self.model.reset_states()

    def on_test_begin(self, logs=None):
        self.model.reset_states()


class LanguageModelMetricsCallback(keras.callbacks.Callback):
    """Adds perplexity and bits per character of the validation loss to the epoch logs."""

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and "val_loss" in logs:
            # Past float32's range (exp(88.7)) a perplexity is infinite: summaries are float32.
            logs["val_perplexity"] = math.exp(logs["val_loss"]) if logs["val_loss"] < 88.7 else math.inf
            logs["val_bits_per_token"] = logs["val_loss"] / math.log(2.0)


def step_decay_schedule(learning_rate, factor, start_epoch):
    """Zaremba et al.'s schedule: the full rate for `start_epoch` epochs, then times `factor` each epoch."""

    def schedule(epoch, current=None):
        return learning_rate * factor ** max(epoch + 1 - start_epoch, 0)

    return schedule


class TimeBudgetCallback(keras.callbacks.Callback):
    """Stops training after the batch that crosses `minutes` of wall-clock time."""

    def __init__(self, minutes):
        super().__init__()
        self.seconds = minutes * 60.0
        self.stopped_early = False

    def on_train_begin(self, logs=None):
        self.start = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        if time.monotonic() - self.start > self.seconds:
            self.model.stop_training = True
            self.stopped_early = True


class ValidationMetricsCallback(keras.callbacks.Callback):
    """Adds what `measure()` returns (`{"val_bleu": 31.2, ...}`) to the logs at the end of every epoch, and
    logs `describe(values)`: a task's validation metrics that `fit` cannot compute (decoded tags, greedy
    translations), so early stopping, plateau decay and the checkpoint's best weights can watch them. Place
    it before those callbacks.

    Example:
    >>> callback = ValidationMetricsCallback(lambda: {"val_bleu": bleu(translator, pairs)},
    ...                                      lambda values: f"validation BLEU {values['val_bleu']:.2f}")
    >>> model.fit(data, callbacks=[callback, keras.callbacks.EarlyStopping(monitor="val_bleu", mode="max")])
    """

    def __init__(self, measure, describe, log=print):
        super().__init__()
        self.measure, self.describe, self.log = measure, describe, log

    def on_epoch_end(self, epoch, logs=None):
        values = self.measure()
        if logs is not None:
            logs.update(values)
        self.log(f"Epoch {epoch + 1}: {self.describe(values)}")
