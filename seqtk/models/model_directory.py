"""A trained model on disk: the `.keras` file, its tokenizer and its records, in one directory."""

import io
import json
import os
import shutil
import tempfile
import zipfile

import keras
import numpy as np
import yaml

from seqtk.errors import ModelFolderError
from seqtk.folder_files import read_json_file, read_yaml_file  # noqa: F401 - the readers of a folder's files
from seqtk.tokenizers.tokenizer import TOKENIZER_FILE, load_tokenizer

MODEL_FILE = "model.keras"
CONFIG_FILE = "config.yaml"
METRICS_FILE = "metrics.json"
CARD_FILE = "MODEL_CARD.md"
WEIGHTS_MEMBER = "model.weights.h5"
SAVE_PRECISIONS = ("float32", "float16")
FLOAT16_MAX = float(np.finfo(np.float16).max)


def round_weights(model, precision):
    """Rounds every float32 weight of `model` to `precision` and back, in place, so the model computes
    exactly what its file saved in that precision will (metrics measured now are the saved model's)."""
    if precision == "float32":
        return
    for variable in model.weights:
        if variable.dtype == "float32":
            values = np.asarray(variable.numpy(), np.float32)
            if np.abs(values).max(initial=0.0) > FLOAT16_MAX:
                raise ValueError(f"{variable.path}: a weight of {np.abs(values).max():.4g} does not fit in "
                                 f"{precision} (at most {FLOAT16_MAX:g}); keep save_precision: float32.")
            variable.assign(values.astype(precision).astype(np.float32))


def _copy_h5(old, new, precision):
    """Copies an HDF5 group (its attributes, groups and datasets) with its float32 datasets in `precision`."""
    import h5py

    new.attrs.update(old.attrs)
    for key, item in old.items():
        if isinstance(item, h5py.Group):
            _copy_h5(item, new.create_group(key), precision)
        else:
            values = item[()]
            if item.dtype == np.float32:
                values = values.astype(precision)
            new.create_dataset(key, data=values).attrs.update(item.attrs)


def _store_weights(path, precision):
    """Rewrites the float32 arrays of the `.keras` file at `path` in `precision`: the file shrinks by half for
    float16, and Keras reads them back into the model's float32 variables."""
    if precision == "float32":
        return
    import h5py

    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    rewritten = []
    for info, data in members:
        if info.filename == WEIGHTS_MEMBER:
            # A new file, not datasets replaced in place: HDF5 never gives back the space of a deleted one.
            source, target = io.BytesIO(data), io.BytesIO()
            with h5py.File(source, "r") as old, h5py.File(target, "w") as new:
                _copy_h5(old, new, precision)
            data = target.getvalue()
        rewritten.append((info, data))
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in rewritten:
            archive.writestr(info, data)


def copy_model(model, dtype=None):
    """A new model of `model`'s class and config holding its weights, without its optimizer or the
    `tf.distribute` strategy it was built under (call it outside the strategy's scope); with `dtype`
    ("float32") the copy computes in that dtype policy instead of `model`'s."""
    config = model.get_config()
    previous = keras.mixed_precision.global_policy()
    if dtype:
        config = {**config, "dtype": dtype}
        keras.mixed_precision.set_global_policy(dtype)  # the sub-layers take the global policy
    try:
        copy = model.__class__.from_config(config)
        copy.build((None, None))
    finally:
        keras.mixed_precision.set_global_policy(previous)
    copy.set_weights(model.get_weights())
    return copy


def _inference_copy(model):
    """The model without its optimizer, in float32: a compiled model would save its optimizer's slots
    too (three times the weights with Adam), which serving never reads (checkpoints keep them for
    resuming); a model trained under mixed precision is saved to load and export in float32 (its
    variables already are float32; only the compute dtype changes)."""
    mixed = model.dtype_policy.name != "float32"
    if getattr(model, "optimizer", None) is None and not mixed:
        return model
    return copy_model(model, "float32")


def write_directory(directory, write):
    """Calls `write(staging)` on a temporary sibling directory, then renames it to `directory`.

    An interrupted or failed write leaves any earlier `directory` untouched and no staging folder behind.
    """
    directory = os.path.abspath(directory)
    parent = os.path.dirname(directory)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(directory)}.", suffix=".tmp", dir=parent)
    try:
        write(staging)
        if os.path.exists(directory):
            retired = directory + ".old"
            shutil.rmtree(retired, ignore_errors=True)
            os.replace(directory, retired)
            os.replace(staging, directory)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def save_model_directory(directory, model, tokenizer, config=None, metrics=None, model_card=None,
                         precision="float32"):
    """Writes everything into a temporary sibling directory, then renames it into place.

    An interrupted save leaves any earlier model at `directory` untouched. The model is saved
    without optimizer state. `config` is a mapping or a task's config (anything with `to_dict()`).
    `precision` `float16` stores the weights in half the bytes (`round_weights` first makes the model in
    memory what the file holds); loading gives float32 variables either way.
    """
    if precision not in SAVE_PRECISIONS:
        raise ValueError(f"precision must be one of {SAVE_PRECISIONS}; received {precision!r}.")
    if config is not None and hasattr(config, "to_dict"):
        config = config.to_dict()

    def write(staging):
        _inference_copy(model).save(os.path.join(staging, MODEL_FILE))
        _store_weights(os.path.join(staging, MODEL_FILE), precision)
        tokenizer.save(staging)
        if config is not None:
            with open(os.path.join(staging, CONFIG_FILE), "w", encoding="utf-8") as handle:
                yaml.safe_dump(config, handle, sort_keys=False)
        if metrics is not None:
            with open(os.path.join(staging, METRICS_FILE), "w", encoding="utf-8") as handle:
                json.dump(metrics, handle, indent=2)
        if model_card is not None:
            with open(os.path.join(staging, CARD_FILE), "w", encoding="utf-8") as handle:
                handle.write(model_card)

    return write_directory(directory, write)


def load_keras_file(path, compile=True):
    """`keras.saving.load_model(path)` in Keras' safe mode (no code from the file runs: a lambda in it is
    refused), after checking that the file is a whole `.keras` archive, so that a truncated or corrupt file
    gets an error that says so instead of Keras' "file not found"."""
    problem = None
    if not zipfile.is_zipfile(path):
        problem = f"it is not a zip archive ({os.path.getsize(path):,} bytes)"
    else:
        try:
            with zipfile.ZipFile(path) as archive:
                damaged = archive.testzip()
            if damaged is not None:
                problem = f"its member {damaged} fails its checksum"
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            problem = f"it cannot be read as a zip archive ({error})"
    if problem:
        raise ValueError(
            f"{path}: not a readable .keras file: {problem}, so it is truncated or corrupt (a copy cut short, "
            "a full disk). Restore it from a backup or train again; seqtk writes its own models and "
            "checkpoints under a temporary name first, so the previous one of a run is whole."
        )
    try:
        return keras.saving.load_model(path, compile=compile, safe_mode=True)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OSError) as error:
        # Safe mode refuses what it would have to execute (a lambda, a function named by path such as
        # os.system); whatever the archive holds, it is a refusal that names the file, not a traceback.
        raise ModelFolderError(
            f"{path}: not a model seqtk can load ({type(error).__name__}: {str(error).splitlines()[0][:300]}). "
            "It was not written by seqtk or was changed since; nothing in it was run. Use the model folder as "
            "`seqtk train` wrote it, or train again.") from None


def read_model_directory(directory):
    """Returns `(model, tokenizer, config)` from a directory that `save_model_directory` wrote, the config
    as the plain mapping in its `config.yaml` (None without one).

    `seqtk.tasks.load_model_directory` gives the config typed, as its task's config class.
    """
    model_path = os.path.join(directory, MODEL_FILE)
    if not os.path.isdir(directory) or not os.path.exists(model_path) or not os.path.exists(
        os.path.join(directory, TOKENIZER_FILE)
    ):
        raise FileNotFoundError(
            f"{directory}: not a seqtk model directory (it needs {MODEL_FILE} and {TOKENIZER_FILE}). "
            "Give a directory written by `seqtk train`, such as saved_models/ud_ewt_upos."
        )
    config = None
    config_path = os.path.join(directory, CONFIG_FILE)
    if os.path.exists(config_path):
        config = read_yaml_file(config_path)  # before the model: a refused config costs no loading
    model = load_keras_file(model_path, compile=False)
    tokenizer = load_tokenizer(directory)
    return model, tokenizer, config


class SavedConfig:
    """A saved model's `config.yaml` read as it was written, its sections as attributes (`config.data.train`).

    What reads a trained model without training it (the exporter) takes the settings the model was trained
    with from here; `seqtk.tasks.load_model_directory` gives the config typed, defaults filled in.

    Example:
    >>> config = SavedConfig({"task": "classifier", "labels": ["0", "1"], "data": {"max_length": 64}})
    >>> config.task, config.data.max_length
    ('classifier', 64)
    """

    def __init__(self, values, source="config.yaml"):
        self._values, self._source = dict(values or {}), source

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._values:
            if name == "task":
                return None  # a model saved before configs named their task
            raise AttributeError(f"{self._source}: no {name!r} setting; the model was saved by a seqtk version "
                                 "that did not record it. Train it again with this version.")
        value = self._values[name]
        return SavedConfig(value, f"{self._source}, {name}") if isinstance(value, dict) else value

    def get(self, name, default=None):
        """The setting `name`, or `default` when the config does not hold it."""
        return getattr(self, name) if name in self._values else default

    def to_dict(self):
        return dict(self._values)


def read_saved_config(directory, task=None):
    """The `config.yaml` mapping of the saved model in `directory` (without loading the model), or None when
    it has none, or (with `task`) when it holds another task's model."""
    path = os.path.join(directory, CONFIG_FILE)
    if not os.path.exists(path):
        return None
    values = read_yaml_file(path)
    return values if task is None or values.get("task") == task else None


def read_saved_model(directory):
    """`(model, tokenizer, config)` of a saved model directory, the config a `SavedConfig`."""
    model, tokenizer, values = read_model_directory(directory)
    return model, tokenizer, SavedConfig(values, os.path.join(directory, CONFIG_FILE))
