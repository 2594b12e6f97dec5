"""Keeping a NaN or infinite loss out of checkpoints and saved models: stop, or roll back and go on."""

import math

import keras
import numpy as np

ON_NAN = ("stop", "rollback")


class NumericalFault(RuntimeError):
    """Training met a NaN or infinite loss and stopped; nothing it wrote holds the bad weights."""


def _finite(values):
    return all(np.isfinite(np.asarray(value)).all() for value in values)


class NumericalFaultCallback(keras.callbacks.Callback):
    """Watches every batch's loss; a NaN or infinite one never reaches a checkpoint or a saved model.

    The weights and optimizer state at the start of training, at the end of
    every good epoch and at every checkpoint inside an epoch (what the
    checkpoints hold) are the last good state.
    When a batch's loss is not finite:
      - `on_nan="stop"`: the last good state comes back, training stops and
        `fault` says which epoch, batch and optimizer step went wrong; the
        checkpoint callback writes nothing more and the runner raises
        `NumericalFault` instead of saving.
      - `on_nan="rollback"`: the last good state comes back, the learning
        rate is halved and training goes on with the next batch, at most
        `max_rollbacks` times; one more fault stops as above.

    Args:
        on_nan: `"stop"` or `"rollback"`.
        max_rollbacks: how many times `rollback` may halve the rate.
        log: where messages go.

    Example:
    >>> fault = NumericalFaultCallback("rollback", max_rollbacks=3)
    >>> model.fit(data, callbacks=[fault])
    >>> fault.rollbacks, fault.fault
    """

    def __init__(self, on_nan="stop", max_rollbacks=3, log=print):
        super().__init__()
        if on_nan not in ON_NAN:
            raise ValueError(f"on_nan must be one of {ON_NAN}; received on_nan={on_nan!r}.")
        self.on_nan = on_nan
        self.max_rollbacks = max_rollbacks
        self.log = log
        self.rollbacks = []
        self.scale = 1.0  # of the learning rate; a per-epoch schedule multiplies its rate by it
        self.fault = None
        self.epoch = 0
        self._good = None

    @property
    def stopped(self):
        return self.fault is not None

    def _variables(self):
        optimizer = self.model.optimizer
        # The step count stays (those batches were read) and so does the rate (a rollback's halving must
        # survive the next rollback); the weights and the optimizer's moments go back.
        kept = {id(optimizer.iterations), id(getattr(optimizer, "_learning_rate", None))}
        return list(self.model.weights) + [v for v in optimizer.variables if id(v) not in kept]

    def keep_good_state(self):
        """Takes the weights and optimizer state now as the last good state (a checkpoint holds them)."""
        values = {id(variable): variable.numpy() for variable in self._variables()}
        if _finite(values.values()):
            self._good = values

    def _restore_good_state(self):
        for variable in self._variables():
            # The optimizer makes its moments at its first step, after the state kept at the start of
            # training; they start at zero.
            variable.assign(self._good.get(id(variable), np.zeros(variable.shape, variable.dtype)))

    def on_train_begin(self, logs=None):
        self.keep_good_state()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if not self.stopped:
            self.keep_good_state()

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)) or self.stopped:
            return
        optimizer = self.model.optimizer
        step = int(optimizer.iterations.numpy())
        where = f"epoch {self.epoch + 1}, batch {batch + 1} (optimizer step {step})"
        if self._good is None:
            raise NumericalFault(f"The loss is {float(loss)} at {where}, before any good state was kept.")
        self._restore_good_state()
        if self.on_nan == "rollback" and len(self.rollbacks) < self.max_rollbacks:
            rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            optimizer.learning_rate = rate / 2
            self.scale /= 2
            # The epoch's running loss and metrics hold the bad batch; they restart from here.
            self.model.reset_metrics()
            self.rollbacks.append({"epoch": self.epoch + 1, "batch": batch + 1, "step": step,
                                   "learning_rate": rate / 2})
            self.log(f"The loss is {float(loss)} at {where}: back to the last good state, learning rate "
                     f"{rate:g} -> {rate / 2:g} (rollback {len(self.rollbacks)} of {self.max_rollbacks}).")
            return
        self.fault = {"loss": float(loss), "epoch": self.epoch + 1, "batch": batch + 1, "step": step}
        self.model.stop_training = True

    def message(self, checkpoint_dir):
        """What went wrong and what to do, for the error the runner raises."""
        f = self.fault
        tried = (f" after {len(self.rollbacks)} rollback(s) halving the learning rate" if self.rollbacks else "")
        advice = ("lower training.learning_rate or training.clipnorm, or set training.on_nan=rollback"
                  if self.on_nan == "stop" else "lower training.learning_rate or raise training.max_rollbacks")
        return (f"Training stopped: the loss became {f['loss']} at epoch {f['epoch']}, batch {f['batch']} "
                f"(optimizer step {f['step']}){tried}. Nothing was saved from that point: the last good "
                f"checkpoint in {checkpoint_dir} and any model saved before are unchanged. To go on, "
                f"{advice}, and add --resume to start from that checkpoint.")
