"""Keeping a NaN, infinite or diverged loss out of checkpoints and saved models: stop, or roll back and go on."""

import math

import keras
import numpy as np

ON_NAN = ("stop", "rollback")
# A run has diverged when its loss stays above DIVERGENCE_FACTOR x the loss of a uniform guess (ln of the
# number of classes) + DIVERGENCE_MARGIN nats for DIVERGED_BATCHES batches in a row, or for a whole epoch: no
# model that learns anything is there, and one whose loss is finite but astronomical (weights blown up
# without overflowing) would otherwise be saved as if it had trained.
DIVERGENCE_FACTOR = 3.0
DIVERGENCE_MARGIN = 3.0
DIVERGED_BATCHES = 10


class NumericalFault(RuntimeError):
    """Training met a NaN, infinite or diverged loss and stopped; nothing it wrote holds the bad weights."""


def _finite(values):
    return all(np.isfinite(np.asarray(value)).all() for value in values)


class NumericalFaultCallback(keras.callbacks.Callback):
    """Watches every batch's loss; a NaN, infinite or diverged one never reaches a checkpoint or a saved model.

    The weights and optimizer state at the start of training, at the end of
    every good epoch and at every checkpoint inside an epoch (what the
    checkpoints hold) are the last good state.
    A fault is a batch loss that is not finite; with `chance_loss` (the loss
    of a uniform guess), also a running epoch loss above `divergence_bound`
    for `DIVERGED_BATCHES` batches in a row or at an epoch's end; and a
    validation loss that is not finite. Then:
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
        chance_loss: the training loss of a model that guesses uniformly
            (`Task.chance_loss`); `None` checks finiteness only.

    Example:
    >>> fault = NumericalFaultCallback("rollback", max_rollbacks=3)
    >>> model.fit(data, callbacks=[fault])
    >>> fault.rollbacks, fault.fault
    """

    def __init__(self, on_nan="stop", max_rollbacks=3, log=print, chance_loss=None):
        super().__init__()
        if on_nan not in ON_NAN:
            raise ValueError(f"on_nan must be one of {ON_NAN}; received on_nan={on_nan!r}.")
        self.on_nan = on_nan
        self.max_rollbacks = max_rollbacks
        self.log = log
        self.chance_loss = chance_loss
        self.divergence_bound = (None if chance_loss is None
                                 else DIVERGENCE_FACTOR * chance_loss + DIVERGENCE_MARGIN)
        self._above = 0  # batches in a row whose running loss is above the bound
        self._batches = 0  # of the epoch so far
        self.rollbacks = []
        self.scale = 1.0  # of the learning rate; a per-epoch schedule multiplies its rate by it
        self.fault = None
        self.epoch = 0
        self._good = None

    @property
    def stopped(self):
        return self.fault is not None

    @property
    def suspect(self):
        """The running loss is above the divergence bound now: the weights are no good state to keep."""
        return self._above > 0

    def _variables(self):
        optimizer = self.model.optimizer
        # The step count stays (those batches were read) and so does the rate (a rollback's halving must
        # survive the next rollback); the weights and the optimizer's moments go back.
        kept = {id(optimizer.iterations), id(getattr(optimizer, "_learning_rate", None))}
        return list(self.model.weights) + [v for v in optimizer.variables if id(v) not in kept]

    def keep_good_state(self):
        """Takes the weights and optimizer state now as the last good state (a checkpoint holds them)."""
        if self.suspect:
            return
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
        self._above = self._batches = 0

    def on_epoch_end(self, epoch, logs=None):
        if self.stopped:
            return
        logs = logs or {}
        loss, validation = logs.get("loss"), logs.get("val_loss")
        where, last = f"the end of epoch {epoch + 1}", self._batches - 1  # a fault here is the last batch's
        if validation is not None and not math.isfinite(float(validation)):
            self._fault(f"the validation loss became {float(validation)} at {where}", float(validation), last)
        elif loss is not None and self._diverged(float(loss)):
            self._fault(f"the loss diverged: the epoch's mean loss is {float(loss):.4g} at {where}, "
                        + self._bound_text(), float(loss), last)
        if not self.stopped:
            self.keep_good_state()

    def _diverged(self, loss):
        return self.divergence_bound is not None and loss > self.divergence_bound

    def _bound_text(self):
        return (f"above {DIVERGENCE_FACTOR:g} x {self.chance_loss:.4g} (a uniform guess's loss) + "
                f"{DIVERGENCE_MARGIN:g} = {self.divergence_bound:.4g}")

    def on_train_batch_end(self, batch, logs=None):
        self._batches = batch + 1
        loss = (logs or {}).get("loss")
        if loss is None or self.stopped:
            return
        loss = float(loss)
        self._above = self._above + 1 if self._diverged(loss) else 0
        if math.isfinite(loss) and self._above < DIVERGED_BATCHES:
            return
        step = int(self.model.optimizer.iterations.numpy())
        where = f"epoch {self.epoch + 1}, batch {batch + 1} (optimizer step {step})"
        if not math.isfinite(loss):
            self._fault(f"the loss became {loss} at {where}", loss, batch)
        else:
            self._fault(f"the loss diverged: the epoch's running loss is {loss:.4g} at {where}, "
                        f"{self._bound_text()} for {DIVERGED_BATCHES} batches in a row", loss, batch)

    def _fault(self, what, loss, batch):
        """Back to the last good state, then a halved rate (rollback) or a stop."""
        optimizer = self.model.optimizer
        step = int(optimizer.iterations.numpy())
        if self._good is None:
            raise NumericalFault(f"Training stopped: {what}, before any good state was kept.")
        self._restore_good_state()
        self._above = 0
        if self.on_nan == "rollback" and len(self.rollbacks) < self.max_rollbacks:
            rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
            optimizer.learning_rate = rate / 2
            self.scale /= 2
            # The epoch's running loss and metrics hold the bad batches; they restart from here.
            self.model.reset_metrics()
            self.rollbacks.append({"epoch": self.epoch + 1, "batch": batch + 1,
                                   "step": step, "learning_rate": rate / 2, "reason": what})
            self.log(f"{what[0].upper()}{what[1:]}: back to the last good state, learning rate "
                     f"{rate:g} -> {rate / 2:g} (rollback {len(self.rollbacks)} of {self.max_rollbacks}).")
            return
        self.fault = {"loss": loss, "epoch": self.epoch + 1, "batch": batch + 1,
                      "step": step, "reason": what}
        self.model.stop_training = True

    def message(self, checkpoint_dir):
        """What went wrong and what to do, for the error the runner raises."""
        f = self.fault
        tried = (f" after {len(self.rollbacks)} rollback(s) halving the learning rate" if self.rollbacks else "")
        advice = ("lower training.learning_rate or training.clipnorm, or set training.on_nan=rollback"
                  if self.on_nan == "stop" else "lower training.learning_rate or raise training.max_rollbacks")
        return (f"Training stopped: {f['reason']}{tried}. Nothing was saved from that point: the last good "
                f"checkpoint in {checkpoint_dir} and any model saved before are unchanged. To go on, "
                f"{advice}, and add --resume to start from that checkpoint.")
