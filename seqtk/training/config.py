"""Configs every task shares: the run's folders, the tokenizer, the generic training options, and their loading.

A task's config (`seqtk.tasks.<task>`) subclasses `RunConfig` with its own `data`, `model` and `training`
sections, which extend `DataConfig`, `RecurrentModelConfig` and `TrainingConfig`; it holds only the fields
that task reads. Every field is declared with its help and checks (`seqtk.training.config_fields`); values
are checked as they are set, and an error names the key, the allowed values and the file.
"""

import dataclasses
import os

import yaml

from seqtk.defaults import UNKNOWN_WARNING
from seqtk.errors import ConfigError  # noqa: F401  (importable from here, as before)
from seqtk.training.config_fields import (  # noqa: F401  (the field declarations, importable from here)
    alias,
    at_least,
    between,
    check_value,
    choice,
    column,
    default,
    describe_allowed,
    field_metadata,
    folder_name,
    option,
    positive,
    sizes,
)

CONFIG_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "configs")


@dataclasses.dataclass
class DataConfig:
    """What every task's `data` section has: the training and validation files, and the held-out split."""

    train: list = option(default_factory=list, help=(
        "Training files, globs, bundled:<name> samples, tfds:<name>[:split] datasets, or {data_dir}/... paths "
        "under SEQTK_DATA_DIR."))
    validation: list = option(default_factory=list, help=(
        "Validation files, as data.train takes them; empty: validation_fraction of the training data is held "
        "out."))
    validation_fraction: float = between(0.1, 0.0, 1.0, help=(
        "Share of the training data held out for validation when data.validation is empty (rows at random; "
        "a language model's held out from the end of its text)."))
    split_seed: int = at_least(1234, 0, help="Seed of the random held-out split (validation_fraction).")

    def validate(self, source):
        if not self.validation and not 0 < self.validation_fraction < 1 and not getattr(self, "prepared", ""):
            raise ConfigError(f"{source}: data.validation is empty, so data.validation_fraction of the training data "
                              f"validates; it must be above 0 and below 1, and is {self.validation_fraction}. Give "
                              "data.validation files or a fraction such as 0.1.")


@dataclasses.dataclass
class TokenizerConfig:
    kind: str = choice("char", "word", "sentencepiece", help=(
        "char: one symbol per character | word: whitespace and punctuation words | sentencepiece: subword "
        "pieces trained on the training data."))
    vocabulary_size: int = at_least(8000, 2, help=(
        "SentencePiece's vocabulary size; for word and char tokenizers the cap (the most frequent kept)."))
    min_frequency: int = at_least(1, 1, help="word: times a word must occur in the training data to be kept.")
    lowercase: bool = option(False, help="word: lowercase words before counting and reading them.")
    model_type: str = choice("unigram", "bpe", help="sentencepiece: the SentencePiece algorithm.")
    model_file: str = option("", help="sentencepiece: load this .model file instead of training one.")
    normalize: list = option(default_factory=list, help=(
        "Clean-up before tokenizing, saved with the tokenizer: strip_html, lowercase, zero_digits, "
        "split_punctuation."))


@dataclasses.dataclass
class RecurrentModelConfig:
    """What every task's `model` section has: the recurrent stack's cell and sizes, and its dropouts."""

    cell_type: str = choice("lstm", "gru", "simple_rnn", help="The recurrent cell of every layer.")
    embedding_dim: int = at_least(128, 1, help="Size of the token vectors (the embedding).")
    hidden_dim: int | list = sizes(256, help="Units of each recurrent layer (one size, or a list of one per layer).")
    num_layers: int = at_least(2, 1, help="Recurrent layers, stacked.")
    dropout: float = between(0.0, 0.0, 1.0, help="Locked (variational) dropout between recurrent layers.")
    input_dropout: float = between(0.0, 0.0, 1.0, help="Locked dropout on the token vectors entering the stack.")
    embedding_dropout: float = between(0.0, 0.0, 1.0, help=(
        "Embedding dropout: whole words dropped from the vocabulary for a batch (Gal and Ghahramani)."))
    output_dropout: float = between(0.0, 0.0, 1.0, help="Locked dropout on the last layer's outputs.")


@dataclasses.dataclass
class WeightDropModelConfig(RecurrentModelConfig):
    """A `model` section whose recurrent kernels take DropConnect (AWD-LSTM's weight-drop)."""

    weight_dropout: float = between(0.0, 0.0, 1.0, help=(
        "Weight-drop: DropConnect on the recurrent (hidden-to-hidden) kernels (Merity et al. 2017)."))


LR_SCHEDULES = ("plateau", "step", "constant", "slanted_triangular")
DISTRIBUTIONS = ("auto", "none", "mirrored", "multi_worker", "tpu")
MONITOR_HELP = ("What early stopping, plateau decay and best-weights selection watch: a value the task logs "
                "(losses are minimized, the others maximized).")


def monitor_choice(first, *others):
    """A task's `training.monitor`: the values its fit logs (`val_loss` and what its callbacks add), `first`
    the default."""
    return choice(first, *others, help=MONITOR_HELP)


def monitor_mode(monitor):
    """`"min"` for a loss, `"max"` for a score (accuracy, F1, BLEU)."""
    return "min" if monitor.endswith("loss") else "max"


@dataclasses.dataclass
class TrainingConfig:
    """The training options every task honours (the one runner reads them); a task adds its own."""

    batch_size: int = at_least(32, 1, help="Examples per training step, across all replicas (the global batch).")
    epochs: int = at_least(10, 1, help="Passes over the training data, at most (early stopping may end sooner).")
    steps_per_epoch: int = at_least(0, 0, help="Training steps per epoch; 0: the whole training set each epoch.")
    time_budget_minutes: float = at_least(0.0, 0.0, help=(
        "Stop after the batch that crosses this many minutes of training (then evaluate and save); 0: no limit."))
    checkpoint_every_steps: int = at_least(0, 0, help=(
        "A checkpoint inside the epoch as well, every N steps (0: off), holding what --resume needs to go on "
        "as if nothing had happened: the data position, the carried state, the dropout RNG. One machine "
        "only: multi-worker runs checkpoint at epoch ends."))
    checkpoint_every_minutes: float = at_least(10.0, 0.0, help=(
        "A checkpoint inside the epoch every M minutes as well (0: off); see checkpoint_every_steps."))
    optimizer: str = choice("adam", "sgd", "adamw", "rmsprop", help="The Keras optimizer.")
    learning_rate: float = positive(0.002, help="The optimizer's learning rate (the peak of a slanted triangle).")
    weight_decay: float = at_least(0.0, 0.0, help="Decoupled weight decay (adamw; added to the others' updates).")
    clipnorm: float = at_least(5.0, 0.0, help="Clip the gradients' global norm to this; 0 turns clipping off.")
    lr_schedule: str = choice(*LR_SCHEDULES, help=(
        "plateau: decay when the monitored value stalls | step: decay every epoch after lr_decay_start_epoch "
        "| constant | slanted_triangular: ULMFiT's linear warm-up over cut_fraction of the steps, then "
        "linear decay."))
    lr_decay_factor: float = positive(0.5, maximum=1.0, help=(
        "plateau and step: the learning rate is multiplied by this at each decay."))
    lr_decay_patience: int = at_least(0, 0, help="plateau: epochs without improvement before a decay.")
    lr_decay_start_epoch: int = at_least(4, 0, help=(
        "step: epochs at the full rate before the decays start (Zaremba et al. 2014: 4 for the small model)."))
    min_learning_rate: float = at_least(1e-5, 0.0, help="plateau: the learning rate never decays below this.")
    cut_fraction: float = between(0.1, 0.0, 1.0, help="slanted_triangular: share of the steps spent warming up.")
    monitor: str = choice("val_loss", help=MONITOR_HELP)
    early_stopping_patience: int = at_least(3, 0, help=(
        "Epochs without improvement of the monitored value before training stops (the best weights are kept)."))
    jit_compile: bool = option(True, help="Compile the training step with XLA.")
    mixed_precision: str = choice("none", "float16", "bfloat16", aliases={"false": "none", "true": "bfloat16"}, help=(
        "Compute in 16 bits, weights, logits and losses in float32 (saved models are float32): none | "
        "float16 (dynamic loss scaling; GPUs) | bfloat16 (TPUs, recent CPUs: on CPUs the step runs without XLA, "
        "whose CPU code does not use the bfloat16 units, and a CPU without them is told so). true/false of "
        "earlier configs: bfloat16/none."))
    distribution: str = choice(*DISTRIBUTIONS, help=(
        "auto: several workers when TF_CONFIG names them, else a TPU if one is reachable, else every GPU "
        "when there are several, else one device | none | mirrored (local GPUs) | multi_worker "
        "(TF_CONFIG) | tpu. batch_size is the global batch, split across the replicas."))
    shard: str = choice("auto", "data", "file", help=(
        "multi_worker: how workers share the training data. data: each takes its rows of every global "
        "batch | file: each trains on its own files (every worker-th one), a corpus of one file per worker "
        "at least | auto: file when the training data comes in at least as many files as there are "
        "workers, else data."))
    drop_remainder: bool = option(False, help=(
        "Train on full batches only, leaving each epoch's remainder out: every step has one shape, as a "
        "TPU needs (distribution tpu turns it on). Language-model batches are always full."))
    eval_batch_size: int = at_least(64, 1, help="Examples per step of validation and evaluation.")
    seed: int = at_least(1234, 0, help="Seed of the weights' initialization, the shuffling and dropout.")
    verbose: str = choice("auto", "0", "1", "2", help=(
        "Keras progress output: auto | 0 silent | 1 a progress bar | 2 one line per epoch."))
    strict_vocabulary: bool = option(False, help=(
        "Symbols outside the vocabulary are read as <unk> and reported; strict makes them an error that "
        "names the file and line (--strict)."))
    unknown_warning: float = between(UNKNOWN_WARNING, 0.0, 1.0, help=(
        "Warn about a file with a larger share of symbols outside the vocabulary than this."))
    extend_vocabulary: bool = option(True, help=(
        "--init-from: add the symbols (characters, words, pieces' characters) that the new corpus has at "
        "least extend_min_count times, their embedding and output rows starting as the mean of the others "
        "(ULMFiT)."))
    extend_min_count: int = at_least(5, 1, help="extend_vocabulary: occurrences a new symbol needs to be added.")
    on_nan: str = choice("stop", "rollback", help=(
        "A NaN or infinite loss: stop (the last good checkpoint and saved model stay as they were; an "
        "error says where it happened) | rollback: back to the last good epoch's weights and optimizer "
        "state, half the learning rate, go on; at most max_rollbacks times, then stop."))
    max_rollbacks: int = at_least(3, 0, help="on_nan rollback: rollbacks before the run stops.")

    def validate(self, source):
        if self.on_nan == "rollback" and self.lr_schedule == "slanted_triangular":
            raise ConfigError(f"{source}: training.on_nan=rollback halves the learning rate, which "
                              "training.lr_schedule=slanted_triangular sets at every step; use on_nan=stop with it.")


@dataclasses.dataclass
class RunConfig:
    """What every task's config has: its name, where it writes, and the four sections."""

    name: str = folder_name("model", help=(
        "The run's name: it writes <output_dir>/<name>, <checkpoint_dir>/<name> and <log_dir>/<name>."))
    output_dir: str = option("models", help=(
        "Where the trained model's folder is saved (models/ is ignored by git; saved_models/ holds the "
        "shipped presets)."))
    checkpoint_dir: str = option("checkpoints", help="Where the run's checkpoints go (--resume reads them).")
    log_dir: str = option("runs", help="Where TensorBoard's logs go.")
    save_precision: str = choice("float32", "float16", help=(
        "The weights in model.keras: float16 halves the file (shipping, phones); the validation metrics "
        "are measured with the weights rounded to it, so they are the saved model's. Loading gives "
        "float32."))
    data_license: str = option("", help="The training data's license and attribution, copied into the model card.")

    def to_dict(self):
        return dataclasses.asdict(self)

    def validate(self, source="config"):
        """Checks every value and every rule between values (`ConfigError` naming `source`, the key and the
        fix). The runner calls it once, on the config a run resolved (with what its data and starting model
        set); a task's config adds its own rules."""
        check_fields(self, source)
        for section in (self.data, self.model, self.training, self.tokenizer):
            if hasattr(section, "validate"):
                section.validate(source)


def available_configs(task="lm"):
    """The named configs shipped for `task` (the folder `seqtk/configs/<task>/`)."""
    directory = os.path.join(CONFIG_DIR, task)
    if not os.path.isdir(directory):
        return []
    return sorted(f[:-5] for f in os.listdir(directory) if f.endswith(".yaml"))


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
        metadata = field_metadata(target, key)
        value = alias(metadata, value)
        if metadata.get("kind") in ("sizes", "column"):
            converted = list(value) if isinstance(value, tuple) else value  # one size or a list; a name or an index
        else:
            converted = _coerce(value, current, path, source)
        check_value(metadata, converted, path, source)
        setattr(target, key, converted)


def check_fields(target, source="config", prefix=""):
    """Checks every value of a config built in Python (a value set directly skips `set_fields`)."""
    for field in dataclasses.fields(target):
        value = getattr(target, field.name)
        path = f"{prefix}{field.name}"
        if dataclasses.is_dataclass(value):
            check_fields(value, source, prefix=f"{path}.")
        else:
            metadata = field_metadata(target, field.name)
            aliased = alias(metadata, value)
            if aliased is not value:  # true/false of an earlier version, set in Python
                value = aliased
                setattr(target, field.name, value)
            check_value(metadata, value, path, source)


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


def describe_options(config_class):
    """One row per field of `config_class` (a task's config), sections flattened to dotted keys: `key`,
    `type`, `default`, `allowed` (in words) and `help`, as `--help-config` and the docs' options page show
    them.

    Example:
    >>> row = describe_options(LanguageModelConfig)[0]
    >>> row["key"], row["default"]
    ('name', 'language_model')
    """
    rows = []

    def walk(section, prefix):
        for field in dataclasses.fields(section):
            value = getattr(section, field.name)
            if dataclasses.is_dataclass(value):
                walk(value, f"{prefix}{field.name}.")
                continue
            metadata = field_metadata(section, field.name)
            rows.append({"key": prefix + field.name, "type": _type_name(field.type), "default": value,
                         "allowed": describe_allowed(metadata), "help": metadata.get("help", "")})

    walk(config_class(), "")
    return rows


def _type_name(annotation):
    return annotation if isinstance(annotation, str) else getattr(annotation, "__name__", None) or str(annotation)


def format_options(config_class, task):
    """`seqtk train <task> --help-config`: every config key with its default, what it takes and its help."""
    import textwrap

    lines = [f"Config keys of the {task} task (set them in a YAML config or with --set key=value):", ""]
    for row in describe_options(config_class):
        allowed = f"; {row['allowed']}" if row["allowed"] else ""
        lines.append(f"{row['key']} = {row['default']!r}  ({row['type']}{allowed})")
        lines += textwrap.wrap(row["help"], 100, initial_indent="    ", subsequent_indent="    ")
    return "\n".join(lines)


def resolve_config(config, settings, source):
    """A copy of `config` with `settings` (dotted keys, or sections as mappings or dataclasses) set and
    checked as a file's values are: what a run learns from its data and its starting model (labels, tags,
    a base model's sections) goes into the config it saves, and the caller's config stays as it was.

    Example:
    >>> resolved = resolve_config(config, {"labels": ["neg", "pos"], "training.drop_remainder": True}, "the data")
    """
    import copy

    result = copy.deepcopy(config)
    nested = {}
    for key, value in (settings or {}).items():
        target = nested
        *sections, name = key.split(".")
        for section in sections:
            target = target.setdefault(section, {})
        target[name] = dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value
    set_fields(result, nested, source)
    return result
