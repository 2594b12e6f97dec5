"""Configs every task shares: the run's folders, the tokenizer, the generic training options, and their loading.

A task's config (`seqtk.tasks.<task>`) subclasses `RunConfig` with its own `data`, `model` and `training`
sections; it holds only the fields that task reads. Values are checked as they are set: a field declared
with `choice(...)` or `at_least(...)` names the key, the allowed values and the file when it is wrong.
"""

import dataclasses
import os
import typing

import yaml

from seqtk.errors import ConfigError  # noqa: F401  (importable from here, as before)
from seqtk.tokenizers.tokenizer import is_plain_name

CONFIG_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "configs")


def choice(default, *allowed, aliases=None):
    """A field that takes one of `allowed` (`default` first among them). `aliases` maps values that
    earlier versions wrote (`true`, `false`) to the choice they now mean."""
    return dataclasses.field(default=default, metadata={"choices": (default,) + allowed, "aliases": aliases or {}})


def _alias(field, value):
    aliases = field.metadata.get("aliases")
    if not aliases or not isinstance(value, (bool, str)):
        return value
    return aliases.get(str(value).lower(), value)


def at_least(default, minimum):
    """A number field that must be `>= minimum`."""
    return dataclasses.field(default=default, metadata={"minimum": minimum})


def between(default, low, high):
    """A number field in the half-open range `[low, high)`."""
    return dataclasses.field(default=default, metadata={"minimum": low, "below": high})


def folder_name(default):
    """A field that names one folder inside the run's output folders: no separator, not `..`."""
    return dataclasses.field(default=default, metadata={"folder_name": True})


@dataclasses.dataclass
class TokenizerConfig:
    kind: str = choice("char", "word", "sentencepiece")
    vocabulary_size: int = at_least(8000, 2)  # sentencepiece size; the cap for word and char
    min_frequency: int = at_least(1, 1)  # word
    lowercase: bool = False  # word
    model_type: str = choice("unigram", "bpe")  # sentencepiece
    model_file: str = ""  # sentencepiece: load this .model instead of training
    # Clean-up before tokenizing, saved with the tokenizer: strip_html, lowercase, zero_digits, split_punctuation.
    normalize: list = dataclasses.field(default_factory=list)


LR_SCHEDULES = ("plateau", "step", "constant", "slanted_triangular")
DISTRIBUTIONS = ("auto", "none", "mirrored", "multi_worker", "tpu")


@dataclasses.dataclass
class TrainingConfig:
    """The training options every task honours (the one runner reads them); a task adds its own."""

    batch_size: int = at_least(32, 1)
    epochs: int = at_least(10, 1)
    steps_per_epoch: int = at_least(0, 0)  # 0: the whole training set each epoch
    time_budget_minutes: float = at_least(0.0, 0.0)  # 0: no limit; else stop after the batch that crosses it
    # A checkpoint inside the epoch as well, every N steps and/or M minutes (0: off), holding what --resume
    # needs to go on as if nothing had happened: the data position, the carried state, the dropout RNG.
    # One machine only: multi-worker runs checkpoint at epoch ends.
    checkpoint_every_steps: int = at_least(0, 0)
    checkpoint_every_minutes: float = at_least(10.0, 0.0)
    optimizer: str = choice("adam", "sgd", "adamw", "rmsprop")
    learning_rate: float = 0.002
    weight_decay: float = at_least(0.0, 0.0)
    clipnorm: float = at_least(5.0, 0.0)  # global gradient norm clipping; 0 turns it off
    # plateau: decay when the monitored value stalls | step: decay every epoch after lr_decay_start_epoch |
    # constant | slanted_triangular: ULMFiT's linear warm-up over cut_fraction of the steps, then linear decay
    lr_schedule: str = choice(*LR_SCHEDULES)
    lr_decay_factor: float = 0.5
    lr_decay_patience: int = at_least(0, 0)  # plateau: epochs without improvement before a decay
    lr_decay_start_epoch: int = at_least(4, 0)  # step: epochs at the full rate (Zaremba et al. 2014: 4 small)
    min_learning_rate: float = 1e-5
    cut_fraction: float = between(0.1, 0.0, 1.0)  # slanted_triangular: share of steps spent warming up
    # Early stopping, plateau decay and best-weights selection watch this; each task lists what it logs.
    monitor: str = "val_loss"
    early_stopping_patience: int = at_least(3, 0)
    jit_compile: bool = True
    # Compute in 16 bits, weights, logits and losses in float32 (saved models are float32): none | float16
    # (dynamic loss scaling; GPUs) | bfloat16 (TPUs, recent CPUs). true/false of earlier configs: bfloat16/none.
    mixed_precision: str = choice("none", "float16", "bfloat16", aliases={"false": "none", "true": "bfloat16"})
    # auto: several workers when TF_CONFIG names them, else a TPU if one is reachable, else every GPU when
    # there are several, else one device | none | mirrored (local GPUs) | multi_worker (TF_CONFIG) | tpu.
    # batch_size is the global batch, split across the replicas.
    distribution: str = choice(*DISTRIBUTIONS)
    # multi_worker: how workers share the training data. data: each takes its rows of every global batch;
    # file: each trains on its own files (every worker-th one), a corpus of one file per worker at least;
    # auto: file when the training data comes in at least as many files as there are workers, else data.
    shard: str = choice("auto", "data", "file")
    # Train on full batches only, leaving each epoch's remainder out: every step has one shape, as a TPU
    # needs (distribution tpu turns it on). Language-model batches are always full.
    drop_remainder: bool = False
    eval_batch_size: int = at_least(64, 1)
    seed: int = 1234
    verbose: str = choice("auto", "0", "1", "2")  # Keras progress bars
    # Symbols outside the vocabulary are read as <unk> and reported; strict makes them an error (--strict).
    strict_vocabulary: bool = False
    unknown_warning: float = between(0.05, 0.0, 1.0)  # warn about a file with more unknown symbols than this share
    # --init-from: add the symbols (characters, words, pieces' characters) that the new corpus has at least
    # extend_min_count times, their embedding and output rows starting as the mean of the others (ULMFiT).
    extend_vocabulary: bool = True
    extend_min_count: int = at_least(5, 1)
    # A NaN or infinite loss: stop (the last good checkpoint and saved model stay as they were; an error says
    # where it happened) | rollback: back to the last good epoch's weights and optimizer state, half the
    # learning rate, go on; at most max_rollbacks times, then stop.
    on_nan: str = choice("stop", "rollback")
    max_rollbacks: int = at_least(3, 0)


@dataclasses.dataclass
class RunConfig:
    """What every task's config has: its name, where it writes, and the four sections."""

    name: str = folder_name("model")  # models/<name>, checkpoints/<name>, runs/<name>
    output_dir: str = "models"  # ignored by git: saved_models/ holds the shipped presets
    checkpoint_dir: str = "checkpoints"
    log_dir: str = "runs"
    # The weights in model.keras: float16 halves the file (shipping, phones); the validation metrics are
    # measured with the weights rounded to it, so they are the saved model's. Loading gives float32.
    save_precision: str = choice("float32", "float16")
    # The training data's license and attribution, copied into the model card.
    data_license: str = ""

    def to_dict(self):
        return dataclasses.asdict(self)


def available_configs(task="lm"):
    """The named configs shipped for `task` (the folder `seqtk/configs/<task>/`)."""
    directory = os.path.join(CONFIG_DIR, task)
    if not os.path.isdir(directory):
        return []
    return sorted(f[:-5] for f in os.listdir(directory) if f.endswith(".yaml"))


def _check(field, value, path, source):
    choices = field.metadata.get("choices")
    if choices is not None and value not in choices:
        raise ConfigError(f"{source}: {path} must be one of {', '.join(map(str, choices))}; received {value!r}.")
    minimum = field.metadata.get("minimum")
    if minimum is not None and value < minimum:
        raise ConfigError(f"{source}: {path} must be at least {minimum}; received {value!r}.")
    below = field.metadata.get("below")
    if below is not None and value >= below:
        raise ConfigError(f"{source}: {path} must be below {below}; received {value!r}.")
    if field.metadata.get("folder_name") and not is_plain_name(value):
        raise ConfigError(f"{source}: {path} must be a plain folder name (it is the folder written under "
                          f"output_dir, checkpoint_dir and log_dir); received {value!r}, which could write "
                          "outside them. Use a name such as my_model, and output_dir for where it goes.")


def set_fields(target, values, source, prefix="", elsewhere=None, task="this"):
    """Sets `values` (a nested mapping) on the dataclass `target`, converting and checking each value.

    `elsewhere(path)` names the tasks that do have a key this config (of the task `task`) lacks, so the
    error can say the option belongs to another task instead of only that it is unknown.
    """
    fields = {f.name: f for f in dataclasses.fields(target)}
    for key, value in values.items():
        path = f"{prefix}{key}"
        if key not in fields:
            owners = elsewhere(path) if elsewhere else None
            if owners:
                raise ConfigError(f"{source}: {path} does not apply to the {task} task; it is an option of "
                                  f"{owners}. Remove it, or train that task.")
            raise ConfigError(
                f"{source}: unknown config key {path!r}. Valid keys here: {', '.join(sorted(fields))}."
            )
        current = getattr(target, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{source}: {path!r} is a section; give it as a mapping of keys.")
            set_fields(current, value, source, prefix=f"{path}.", elsewhere=elsewhere, task=task)
            continue
        value = _alias(fields[key], value)
        if fields[key].type in (typing.Any, "typing.Any"):
            converted = value  # hidden_dim: one size or a list; a column: a name or an index
        else:
            converted = _coerce(value, current, path, source)
        _check(fields[key], converted, path, source)
        setattr(target, key, converted)


def check_fields(target, source="config", prefix=""):
    """Checks every value of a config built in Python (a value set directly skips `set_fields`)."""
    for field in dataclasses.fields(target):
        value = getattr(target, field.name)
        path = f"{prefix}{field.name}"
        if dataclasses.is_dataclass(value):
            check_fields(value, source, prefix=f"{path}.")
        else:
            aliased = _alias(field, value)
            if aliased is not value:  # true/false of an earlier version, set in Python
                value = aliased
                setattr(target, field.name, value)
            _check(field, value, path, source)


def _coerce(value, current, path, source):
    if isinstance(current, list):
        return list(value) if isinstance(value, (list, tuple)) else [value]
    if isinstance(current, bool):
        if isinstance(value, str):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ConfigError(f"{source}: {path} takes true or false; received {value!r}.")
            return value.lower() in ("true", "1", "yes")
        return bool(value)
    try:
        if isinstance(current, int):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if isinstance(current, float):
            return float(value)
        if isinstance(current, str):
            return str(value)  # verbose: 2 in YAML reads as an integer
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: {path} takes a {type(current).__name__}; received {value!r}.") from None
    return value


def read_config_file(config, task):
    """`(path, values)` of a named config of `task` or a YAML/JSON file."""
    path = config
    if not os.path.exists(path):
        path = os.path.join(CONFIG_DIR, task, f"{config}.yaml")
        if not os.path.exists(path):
            raise FileNotFoundError(
                f"{config}: neither a config file nor a named {task} config. Named configs: "
                f"{', '.join(available_configs(task))}."
            )
    with open(path, encoding="utf-8") as handle:
        try:
            values = yaml.safe_load(handle) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(values, dict):
        raise ConfigError(f"{path}: a config is a mapping of sections (data, tokenizer, model, training).")
    return path, values


def build_config(config_class, task, config=None, overrides=(), data=None, elsewhere=None):
    """A `config_class` from its defaults, a named config or file, `data` and `key=value` overrides.

    Args:
        config: a named config of `task` (`shakespeare_char`), a YAML/JSON path, or None for the defaults.
        overrides: `"section.key=value"` strings (values parsed as YAML).
        data: replaces `data.train` with the user's files and clears the configured validation and
            `data_license`.
        elsewhere: `elsewhere(path)` names the tasks that have a key this one lacks (for the error).
    """
    result = config_class()
    if config:
        path, values = read_config_file(config, task)
        written_for = values.pop("task", task)  # a saved model's config.yaml names its task
        if written_for != task:
            raise ConfigError(f"{path}: a config of the {written_for} task; this is the {task} task. "
                              f"Use `seqtk train {written_for}` or a {task} config.")
        set_fields(result, values, path, elsewhere=elsewhere, task=task)
    if data:
        result.data.train = [data] if isinstance(data, str) else list(data)
        result.data.validation = []
        result.data_license = ""  # the named config's corpus is not what this model trains on
    for override in overrides or ():
        key, separator, raw = override.partition("=")
        if not separator:
            raise ConfigError(f"--set {override!r}: write overrides as key=value, e.g. training.epochs=3.")
        try:
            nested = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError as error:
            # A scanner error has a `problem`; a reader error (a control character) only its text.
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            raise ConfigError(f"--set {override!r}: the value is not valid YAML ({problem}); quote it, "
                              "e.g. data.train=['{data_dir}/train.txt'].") from None
        for part in reversed(key.strip().split(".")):
            nested = {part: nested}
        set_fields(result, nested, f"--set {override}", elsewhere=elsewhere, task=task)
    return result
