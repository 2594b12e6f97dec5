"""Crash-safe checkpoints at epoch ends and inside epochs, and reading them back for `--resume`."""

import json
import os
import shutil
import time

import keras
import numpy as np

from seqtk.models.model_directory import load_keras_file

STATE_FILE = "training_state.json"
LAST_CHECKPOINT = "last.keras"
BEST_WEIGHTS = "best_weights.npz"
ARRAYS = "resume_arrays.npz"
SNAPSHOT = "checkpoint"  # the folder inside checkpoints/<name> that holds one whole checkpoint
_SAVING, _OLD = ".checkpoint.saving", ".checkpoint.old"
# What a watched callback keeps between epochs: EarlyStopping's best and wait, ReduceLROnPlateau's cooldown too.
_PATIENCE = ("best", "wait", "cooldown_counter")


def write_json_atomically(path, value):
    """Writes JSON under a temporary name, then renames it: a crash never leaves half a file."""
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(value, handle, indent=2)
    os.replace(temporary, path)


def write_snapshot(directory, write):
    """Writes a whole checkpoint with `write(folder)` into a fresh folder, then swaps it in.

    The files of one checkpoint (model, state, arrays, best weights) must agree
    with each other, so they are replaced together: the new folder is complete
    before the old one is renamed away. A crash at any point leaves either the
    previous checkpoint or the new one (`snapshot_folder` finds it), never a mix.
    """
    saving, old, final = (os.path.join(directory, name) for name in (_SAVING, _OLD, SNAPSHOT))
    shutil.rmtree(saving, ignore_errors=True)
    os.makedirs(saving)
    try:
        write(saving)
    except BaseException:
        shutil.rmtree(saving, ignore_errors=True)
        raise
    if os.path.isdir(final):
        shutil.rmtree(old, ignore_errors=True)
        os.rename(final, old)
    os.rename(saving, final)
    shutil.rmtree(old, ignore_errors=True)


def snapshot_folder(directory):
    """The folder holding the newest whole checkpoint in `directory`, or None.

    A crash between the two renames of `write_snapshot` leaves only the previous
    checkpoint, under its temporary name; checkpoints of seqtk before 0.9 lie in
    `directory` itself.
    """
    for folder in (os.path.join(directory, SNAPSHOT), os.path.join(directory, _OLD), directory):
        if os.path.exists(os.path.join(folder, STATE_FILE)) and os.path.exists(os.path.join(folder, LAST_CHECKPOINT)):
            return folder
    return None


def _components(variable):
    """A variable's value on each replica (one under no strategy): a carry differs from replica to replica."""
    value = getattr(variable, "_value", variable)  # a keras.Variable's backend variable
    values = getattr(value, "values", None)  # a distributed variable's per-replica parts
    return list(values) if values is not None else [value]


def resume_variables(trainer):
    """`{kind: [variable]}` that a `.keras` file does not keep but the next step reads: the dropout RNGs'
    states (`keras.random.SeedGenerator`) and a carried recurrent state."""
    return {
        "seed": [v for v in trainer.variables if v.path.endswith("seed_generator_state")],
        "carried": list(getattr(trainer, "carried", [])),
    }


class CheckpointCallback(keras.callbacks.Callback):
    """Saves the whole training state after every epoch and, if asked, every N steps or M minutes.

    A checkpoint holds the model with its optimizer (moments, step count,
    learning rate), the epoch history, the patience of early stopping and
    learning-rate decay, the best weights so far, the dropout RNG states and,
    inside an epoch, the data position, the carried recurrent state and the
    epoch's running metrics: a run resumed from it (`--resume`) computes what
    the interrupted run would have. Each checkpoint is written whole into a new
    folder and swapped in (`write_snapshot`), so a crash mid-write leaves the
    previous one. `restore_training_state` reads it back.

    Args:
        directory: `checkpoints/<name>`; the checkpoint lies in its `checkpoint/` folder.
        watched: callbacks whose patience (`best`, `wait`, `cooldown_counter`) is saved and
            restored, so a resumed run continues it instead of starting it over.
        early_stopping: an `EarlyStopping` with `restore_best_weights`; its best weights are
            saved and handed back on resume.
        write: write the files; False on the workers of a multi-worker run other than the chief.
        fault: a `NumericalFaultCallback`; once it has stopped training on a NaN, infinite or
            diverged loss, nothing more is written, and each checkpoint becomes its last good state;
            while the loss is above its divergence bound, no checkpoint is written inside the epoch.
        every_steps, every_minutes: checkpoint inside epochs as well (0: only at epoch ends).
        steps_per_epoch: the steps of one epoch (to tell an epoch's end from a step inside it).

    Example:
    >>> checkpoint = CheckpointCallback("checkpoints/ptb", every_steps=500, steps_per_epoch=1327)
    >>> trainer.fit(stream.dataset(), steps_per_epoch=1327, epochs=40, callbacks=[checkpoint])
    """

    def __init__(self, directory, watched=(), early_stopping=None, write=True, fault=None, every_steps=0,
                 every_minutes=0.0, steps_per_epoch=None):
        super().__init__()
        self.directory = directory
        self.write = write
        self.fault = fault
        self.watched = list(watched)
        self.early_stopping = early_stopping
        self.every_steps = every_steps
        self.every_seconds = every_minutes * 60.0
        self.steps_per_epoch = steps_per_epoch
        self.history = []
        self.restored = None  # the state `restore_training_state` read, applied when training begins
        self.position = 0  # batches trained since the run began
        self._pending = {}  # what a mid-epoch resume puts back once Keras has reset it
        self._best_file = None  # (best_epoch, path) of the best weights the last checkpoint wrote
        self._last_save = time.monotonic()
        self._began = time.monotonic()
        self.earlier_seconds = 0.0  # training time of the runs this one resumes, as their checkpoint recorded

    # Resuming.

    def on_train_begin(self, logs=None):
        if self.write:
            os.makedirs(self.directory, exist_ok=True)
        self._last_save = self._began = time.monotonic()
        state, self.restored = self.restored, None
        if not state:
            return
        self.earlier_seconds = float(state.get("trained_seconds", 0.0))
        self.history = list(state.get("history", []))
        for callback, saved in zip(self.watched, state.get("watched", []), strict=False):
            for key, value in saved.items():
                setattr(callback, key, value)
        if self.early_stopping is not None and state.get("best_weights") is not None:
            self.early_stopping.best_weights = state["best_weights"]
            self.early_stopping.best_epoch = state.get("best_epoch", 0)
        if self.fault is not None and "fault" in state:
            self.fault.scale = state["fault"]["scale"]
            self.fault.rollbacks = list(state["fault"]["rollbacks"])
        arrays = state.get("arrays", {})
        seeds = resume_variables(self.model)["seed"]
        if len(seeds) == len([k for k in arrays if k.startswith("seed_")]):
            for index, variable in enumerate(seeds):
                variable.assign(arrays[f"seed_{index}"])
        self.position = int(state.get("position", 0))
        if self.steps_per_epoch and self.position % self.steps_per_epoch:
            self._pending = arrays

    def on_epoch_begin(self, epoch, logs=None):
        # After the task's callbacks (ResetStatesCallback zeroes the carry here): a mid-epoch resume puts
        # back the carry the interrupted run had at that batch.
        for index, variable in enumerate(resume_variables(self.model)["carried"]):
            saved = [self._pending[k] for k in sorted(k for k in self._pending if k.startswith(f"carried_{index}_"))]
            if saved:
                for part, value in zip(_components(variable), saved, strict=True):
                    part.assign(value)

    def on_train_batch_end(self, batch, logs=None):
        if self._pending:
            # Keras made the epoch's running metrics at the first step and reset them; the interrupted
            # run's sums go back on top of this batch's (Mean and friends are sums and counts).
            saved = [self._pending[k] for k in sorted((k for k in self._pending if k.startswith("metric_")),
                                                      key=lambda k: int(k.split("_")[1]))]
            if len(saved) == len(self.model.metrics_variables):
                for variable, value in zip(self.model.metrics_variables, saved, strict=True):
                    variable.assign_add(value)
                if logs is not None:  # what the callbacks after this one see of the step
                    logs.update({k: float(v) for k, v in self.model.get_metrics_result().items()})
            self._pending = {}
        self.position += 1
        due = ((self.every_steps and self.position % self.every_steps == 0)
               or (self.every_seconds and time.monotonic() - self._last_save >= self.every_seconds))
        at_epoch_end = self.steps_per_epoch and self.position % self.steps_per_epoch == 0
        if due and not at_epoch_end and not (self.fault is not None and (self.fault.stopped or self.fault.suspect)):
            self._save(mid_epoch=True)

    def on_epoch_end(self, epoch, logs=None):
        if self.fault is not None and self.fault.stopped:
            return  # the epoch did not finish: its checkpoint would claim work that was not done
        self.history.append({key: float(value) for key, value in (logs or {}).items()})
        if self.steps_per_epoch:
            # The next epoch's data starts here, even after a time budget cut this epoch short.
            self.position = (epoch + 1) * self.steps_per_epoch
        self._save(mid_epoch=False, epoch=epoch)

    # Saving.

    def _state(self, epoch, mid_epoch):
        stopper = self.early_stopping
        watched = [{key: (None if getattr(c, key) is None else float(getattr(c, key)) if key == "best"
                          else int(getattr(c, key))) for key in _PATIENCE if hasattr(c, key)} for c in self.watched]
        return {
            "format": 2,
            "epoch": epoch,  # the last epoch finished
            "position": self.position,
            "steps_per_epoch": self.steps_per_epoch,
            "mid_epoch": mid_epoch,
            "best_epoch": int(stopper.best_epoch) if stopper is not None else 0,
            "history": self.history,
            # Up to this checkpoint: what a resumed run adds its own time to, so a card tells the whole.
            "trained_seconds": self.earlier_seconds + time.monotonic() - self._began,
            "watched": watched,
            **({"fault": {"scale": self.fault.scale, "rollbacks": self.fault.rollbacks}} if self.fault else {}),
        }

    def _arrays(self, mid_epoch):
        variables = resume_variables(self.model)
        arrays = {f"seed_{i}": np.asarray(v.numpy()) for i, v in enumerate(variables["seed"])}
        if mid_epoch:
            for i, variable in enumerate(variables["carried"]):
                for replica, part in enumerate(_components(variable)):
                    arrays[f"carried_{i}_{replica:04d}"] = np.asarray(part.numpy())
            for i, variable in enumerate(self.model.metrics_variables):
                arrays[f"metric_{i}"] = np.asarray(keras.ops.convert_to_numpy(variable))
        return arrays

    def _save(self, mid_epoch, epoch=None):
        if epoch is None:
            epoch = (self.position // self.steps_per_epoch - 1) if self.steps_per_epoch else -1
        self._last_save = time.monotonic()
        if not self.write:
            return
        stopper = self.early_stopping
        state, arrays = self._state(epoch, mid_epoch), self._arrays(mid_epoch)
        previous_best = self._best_file

        def write(folder):
            self.model.save(os.path.join(folder, LAST_CHECKPOINT))
            np.savez(os.path.join(folder, ARRAYS), **arrays)
            if stopper is not None and stopper.best_weights is not None:
                best = os.path.join(folder, BEST_WEIGHTS)
                if previous_best and previous_best[0] == stopper.best_epoch and os.path.exists(previous_best[1]):
                    os.link(previous_best[1], best)  # unchanged since the last checkpoint: no second copy
                else:
                    np.savez(best, *stopper.best_weights)
                self._best_file = (stopper.best_epoch, os.path.join(self.directory, SNAPSHOT, BEST_WEIGHTS))
            write_json_atomically(os.path.join(folder, STATE_FILE), state)

        write_snapshot(self.directory, write)
        if mid_epoch and self.fault is not None:
            self.fault.keep_good_state()  # a rollback goes back to what this checkpoint holds


def restore_training_state(directory):
    """`(trainer, state)` from a checkpoint directory, or `(None, None)` when it holds none.

    `state` is the saved `training_state.json` with `arrays` (RNG states, carry, running metrics) and
    `best_weights` (or None) added.
    """
    folder = snapshot_folder(directory)
    if folder is None:
        return None, None
    import seqtk.training.carried_state_model  # noqa: F401  registers the wrapper class

    model = load_keras_file(os.path.join(folder, LAST_CHECKPOINT))
    with open(os.path.join(folder, STATE_FILE), encoding="utf-8") as handle:
        state = json.load(handle)
    state["arrays"] = {}
    if os.path.exists(os.path.join(folder, ARRAYS)):
        with np.load(os.path.join(folder, ARRAYS)) as saved:
            state["arrays"] = {key: saved[key] for key in saved.files}
    state["best_weights"] = None
    if os.path.exists(os.path.join(folder, BEST_WEIGHTS)):
        with np.load(os.path.join(folder, BEST_WEIGHTS)) as saved:
            state["best_weights"] = [saved[f"arr_{i}"] for i in range(len(saved.files))]
    return model, state


def resume_position(state, steps_per_epoch):
    """`(epoch, batch)` a resumed run starts at: the epoch, and the batch inside it (0 at an epoch's start).

    A checkpoint written with another number of steps per epoch (or by seqtk before 0.9) resumes at the
    start of the epoch after the last one it finished.
    """
    if state.get("steps_per_epoch") == steps_per_epoch and "position" in state:
        return divmod(int(state["position"]), steps_per_epoch)
    return int(state["epoch"]) + 1, 0


def resume_training_state(directory, resume, log=print):
    """`restore_training_state(directory)` when `resume` is set (saying so when there is nothing to
    resume), else `(None, None)`: the start of every trainer's `--resume`."""
    if not resume:
        return None, None
    model, state = restore_training_state(directory)
    if model is None:
        log(f"No checkpoint in {directory}: starting from the beginning.")
    return model, state

