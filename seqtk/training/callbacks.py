"""Callbacks for recurrent training: carried-state resets, crash-safe checkpoints, time budgets."""

import json
import math
import os
import time

import keras
import numpy as np

from seqtk.models.model_directory import load_keras_file

STATE_FILE = "training_state.json"
LAST_CHECKPOINT = "last.keras"
BEST_WEIGHTS = "best_weights.npz"


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


def write_json_atomically(path, value):
    """Writes JSON under a temporary name, then renames it: a crash never leaves half a file."""
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)
    os.replace(temporary, path)


class CheckpointCallback(keras.callbacks.Callback):
    """Saves the whole training state (model, optimizer, epoch, history) after every epoch.

    The checkpoint is written under a temporary name and renamed, so a crash
    in the middle of a save leaves the previous checkpoint whole.
    `restore_training_state` reads it back for `--resume`.

    Args:
        directory: where `last.keras` and `training_state.json` live.
        watched: callbacks whose `best` and `wait` are saved and restored
            (early stopping, learning-rate decay), so a resumed run continues
            their patience instead of starting it over.
        early_stopping: an `EarlyStopping` with `restore_best_weights`; its
            best weights are kept in `best_weights.npz` and handed back on resume.
        write: write the files; False on the workers of a multi-worker run
            other than the chief, which keep the history and restore from
            the chief's checkpoint but write nothing.
        fault: a `NumericalFaultCallback`; once it has stopped training on a
            NaN or infinite loss, nothing more is written.
    """

    def __init__(self, directory, watched=(), early_stopping=None, write=True, fault=None):
        super().__init__()
        self.directory = directory
        self.write = write
        self.fault = fault
        self.watched = list(watched)
        self.early_stopping = early_stopping
        self.history = []
        self.restored = None

    def on_train_begin(self, logs=None):
        if self.write:
            os.makedirs(self.directory, exist_ok=True)
        if self.restored:
            self.history = list(self.restored.get("history", []))
            for callback, saved in zip(self.watched, self.restored.get("watched", []), strict=False):
                callback.best = saved["best"]
                callback.wait = saved["wait"]
            best_path = os.path.join(self.directory, BEST_WEIGHTS)
            if self.early_stopping is not None and os.path.exists(best_path):
                with np.load(best_path) as saved:
                    self.early_stopping.best_weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
                self.early_stopping.best_epoch = self.restored.get("best_epoch", 0)

    def on_epoch_end(self, epoch, logs=None):
        if self.fault is not None and self.fault.stopped:
            return  # the epoch did not finish: its checkpoint would claim work that was not done
        self.history.append({key: float(value) for key, value in (logs or {}).items()})
        if not self.write:
            return
        stopper = self.early_stopping
        if stopper is not None and stopper.best_weights is not None and stopper.best_epoch == epoch:
            # EarlyStopping ran first and just took this epoch as its best: keep a copy for resuming.
            temporary = os.path.join(self.directory, ".saving_best.npz")
            np.savez(temporary, *stopper.best_weights)
            os.replace(temporary, os.path.join(self.directory, BEST_WEIGHTS))
        final = os.path.join(self.directory, LAST_CHECKPOINT)
        temporary = os.path.join(self.directory, ".saving.keras")
        try:
            self.model.save(temporary)
            os.replace(temporary, final)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
        write_json_atomically(
            os.path.join(self.directory, STATE_FILE),
            {
                "epoch": epoch,
                "best_epoch": int(stopper.best_epoch) if stopper is not None else 0,
                "history": self.history,
                "watched": [{"best": float(c.best), "wait": int(c.wait)} for c in self.watched],
            },
        )


def restore_training_state(directory):
    """`(model, state)` from a checkpoint directory, or `(None, None)` when it holds none."""
    checkpoint = os.path.join(directory, LAST_CHECKPOINT)
    state_path = os.path.join(directory, STATE_FILE)
    if not (os.path.exists(checkpoint) and os.path.exists(state_path)):
        return None, None
    import seqtk.training.carried_state_model  # noqa: F401  registers the wrapper class

    model = load_keras_file(checkpoint)
    with open(state_path, encoding="utf-8") as handle:
        state = json.load(handle)
    return model, state


def resume_training_state(directory, resume, log=print):
    """`restore_training_state(directory)` when `resume` is set (saying so when there is nothing to
    resume), else `(None, None)`: the start of every trainer's `--resume`."""
    if not resume:
        return None, None
    model, state = restore_training_state(directory)
    if model is None:
        log(f"No checkpoint in {directory}: starting from the beginning.")
    return model, state
