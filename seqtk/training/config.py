"""Training configurations: dataclasses per task, named YAML configs, files and `key=value` overrides."""

import dataclasses
import os
import typing

import yaml

CONFIG_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "configs")


@dataclasses.dataclass
class DataConfig:
    train: list = dataclasses.field(default_factory=lambda: ["bundled:tinyshakespeare"])
    validation: list = dataclasses.field(default_factory=list)
    validation_fraction: float = 0.1  # the tail of train held out when no validation source is given
    tfds_text_key: str = "text"
    # Text from one column of a labelled file (TSV, CSV, JSON lines): a name or 0-based index; "" reads plain text.
    text_column: str = ""
    format: str = "auto"  # auto | tsv | csv | jsonl | label_text, when text_column is set
    split_seed: int = 1234  # with text_column: rows held out at random, as the classifier config does


@dataclasses.dataclass
class TokenizerConfig:
    kind: str = "char"  # char | word | sentencepiece
    vocabulary_size: int = 8000  # sentencepiece size; the cap for word and char
    min_frequency: int = 1  # word
    lowercase: bool = False  # word
    model_type: str = "unigram"  # sentencepiece: unigram | bpe
    model_file: str = ""  # sentencepiece: load this .model instead of training
    # Clean-up before tokenizing, saved with the tokenizer: strip_html, lowercase, split_punctuation.
    normalize: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ModelConfig:
    cell_type: str = "lstm"
    embedding_dim: int = 128
    hidden_dim: typing.Any = 256
    num_layers: int = 2
    dropout: float = 0.0
    input_dropout: float = 0.0
    output_dropout: float = 0.0
    embedding_dropout: float = 0.0
    weight_dropout: float = 0.0
    tie_weights: bool = False
    residual: bool = False
    activation_regularization: float = 0.0
    temporal_activation_regularization: float = 0.0
    reverse: bool = False  # read text right to left: the backward model of a ULMFiT pair


@dataclasses.dataclass
class TrainingConfig:
    pipeline: str = "stream"  # stream: carried state across batches (TBPTT) | windows: shuffled windows
    batch_size: int = 20
    sequence_length: int = 35
    epochs: int = 10
    steps_per_epoch: int = 0  # 0: the whole corpus each epoch
    time_budget_minutes: float = 0.0  # 0: no limit; else stop after the batch that crosses it
    optimizer: str = "adam"  # adam | sgd | adamw | rmsprop
    learning_rate: float = 0.002
    weight_decay: float = 0.0
    clipnorm: float = 5.0  # global gradient norm clipping; 0 turns it off
    lr_schedule: str = "plateau"  # plateau: decay when validation stalls | step: decay every epoch after a start
    lr_decay_factor: float = 0.5
    lr_decay_patience: int = 0  # plateau: epochs without improvement before a decay
    lr_decay_start_epoch: int = 4  # step: epochs at the full rate (Zaremba et al. 2014: 4 small, 6 medium)
    min_learning_rate: float = 1e-5
    early_stopping_patience: int = 3
    jit_compile: bool = True
    mixed_precision: bool = False
    eval_batch_size: int = 10
    seed: int = 1234
    verbose: str = "auto"  # Keras progress bars: auto | 0 | 1 | 2


@dataclasses.dataclass
class LanguageModelConfig:
    name: str = "language_model"
    output_dir: str = "saved_models"
    checkpoint_dir: str = "checkpoints"
    log_dir: str = "runs"
    sample_prompt: str = ""
    sample_length: int = 300
    data: DataConfig = dataclasses.field(default_factory=DataConfig)
    tokenizer: TokenizerConfig = dataclasses.field(default_factory=TokenizerConfig)
    model: ModelConfig = dataclasses.field(default_factory=ModelConfig)
    training: TrainingConfig = dataclasses.field(default_factory=TrainingConfig)

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class ClassifierDataConfig:
    train: list = dataclasses.field(default_factory=lambda: ["bundled:sst2_sentences_train"])
    validation: list = dataclasses.field(default_factory=list)
    validation_fraction: float = 0.1  # rows held out at random when no validation source is given
    split_seed: int = 1234
    format: str = "auto"  # auto | tsv | csv | jsonl | label_text ("<label> <text>", the stsa.binary files)
    text_column: typing.Any = "auto"  # header name or 0-based index; auto: text, sentence, review, ...
    label_column: typing.Any = "auto"  # header name or 0-based index; auto: label, sentiment, ...
    max_length: int = 400  # tokens kept per text; 0 keeps all
    truncation: str = "head"  # head: the first max_length tokens | tail: the last | head_tail: first 1/4 + last 3/4


@dataclasses.dataclass
class ClassifierModelConfig:
    cell_type: str = "lstm"
    embedding_dim: int = 128
    hidden_dim: typing.Any = 128
    num_layers: int = 1
    bidirectional: bool = True
    pooling: str = "concat"  # last | max | mean | concat (ULMFiT's last + max + mean)
    head_dim: int = 0
    dropout: float = 0.0
    input_dropout: float = 0.0
    embedding_dropout: float = 0.0
    weight_dropout: float = 0.0
    output_dropout: float = 0.0
    residual: bool = False
    reverse: bool = False  # read texts right to left (from a backward language model: set by it)


@dataclasses.dataclass
class ClassifierTrainingConfig(TrainingConfig):
    batch_size: int = 32
    epochs: int = 10
    learning_rate: float = 0.002
    lr_schedule: str = "plateau"  # plateau | constant | slanted_triangular (ULMFiT)
    cut_fraction: float = 0.1  # slanted_triangular: share of steps spent warming up
    discriminative_decay: float = 1.0  # ULMFiT's 2.6: each layer group learns 1/2.6 as fast as the one above
    gradual_unfreezing: bool = False  # ULMFiT: epoch 1 trains the head only, each epoch unfreezes one more group
    monitor: str = "val_accuracy"  # early stopping and best-weights selection: val_accuracy | val_loss
    pad_multiple: int = 8  # batch lengths round up to this, bounding the shapes XLA compiles
    jit_compile: bool = False
    eval_batch_size: int = 64


@dataclasses.dataclass
class ClassifierConfig:
    name: str = "classifier"
    output_dir: str = "saved_models"
    checkpoint_dir: str = "checkpoints"
    log_dir: str = "runs"
    init_from: str = ""  # a saved seqtk language model to transfer (ULMFiT); --init-from overrides it
    labels: list = dataclasses.field(default_factory=list)  # set by training: class names in output order
    data: ClassifierDataConfig = dataclasses.field(default_factory=ClassifierDataConfig)
    tokenizer: TokenizerConfig = dataclasses.field(
        default_factory=lambda: TokenizerConfig(kind="word", vocabulary_size=20000, min_frequency=1))
    model: ClassifierModelConfig = dataclasses.field(default_factory=ClassifierModelConfig)
    training: ClassifierTrainingConfig = dataclasses.field(default_factory=ClassifierTrainingConfig)

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclasses.dataclass
class TranslatorDataConfig:
    train: list = dataclasses.field(default_factory=lambda: ["bundled:tatoeba_fr_en_train"])
    validation: list = dataclasses.field(default_factory=lambda: ["bundled:tatoeba_fr_en_valid"])
    validation_fraction: float = 0.05  # pairs held out at random when no validation source is given
    split_seed: int = 1234
    format: str = "auto"  # auto | tsv | jsonl; "<source_file>,<target_file>" sources are line-aligned
    source_column: typing.Any = 0  # TSV: 0-based index or header name; JSON lines or tfds: the field name
    target_column: typing.Any = 1
    source_language: str = "fr"  # for the model card only
    target_language: str = "en"
    # Training drops longer pairs; at translation time longer sources are cut to max_source_length with a
    # warning and translations stop at max_target_length tokens.
    max_source_length: int = 50
    max_target_length: int = 50


@dataclasses.dataclass
class TranslatorTokenizerConfig:
    joint: bool = False  # one tokenizer trained on both sides (its settings are `source`)
    source: TokenizerConfig = dataclasses.field(
        default_factory=lambda: TokenizerConfig(kind="sentencepiece", vocabulary_size=8000))
    target: TokenizerConfig = dataclasses.field(
        default_factory=lambda: TokenizerConfig(kind="sentencepiece", vocabulary_size=8000))


@dataclasses.dataclass
class TranslatorModelConfig:
    cell_type: str = "lstm"
    embedding_dim: int = 256
    hidden_dim: int = 512
    num_layers: int = 2
    bidirectional: bool = False
    reverse_source: bool = True  # Sutskever et al. 2014
    context_feeding: bool = False  # Cho et al. 2014
    tie_embeddings: bool = False
    dropout: float = 0.2
    input_dropout: float = 0.1
    embedding_dropout: float = 0.0
    output_dropout: float = 0.2


@dataclasses.dataclass
class TranslatorTrainingConfig(TrainingConfig):
    batch_size: int = 64
    epochs: int = 20
    learning_rate: float = 0.002
    label_smoothing: float = 0.1
    monitor: str = "val_bleu"  # early stopping, learning-rate decay and best-weights selection: val_bleu | val_loss
    bleu_sentences: int = 1000  # validation pairs translated (greedy) after each epoch for val_bleu; 0: all
    beam_size: int = 5  # the beam of the final evaluation (greedy is always reported too)
    length_penalty: float = 0.6  # GNMT's alpha for beam search; 0 ranks by total log-probability
    # Without XLA a batch's shape costs nothing, so no padding beyond the longest pair (measured on 2 CPU
    # cores, 1x512 LSTM, Tatoeba lengths: 256 ms/step unpadded, 295 ms rounded to 8, 409 ms with XLA, whose
    # every (source, target) length pair is a fresh compilation). Decoding loops are compiled regardless.
    pad_multiple: int = 1
    jit_compile: bool = False
    eval_batch_size: int = 64


@dataclasses.dataclass
class TranslatorConfig:
    name: str = "translator"
    output_dir: str = "saved_models"
    checkpoint_dir: str = "checkpoints"
    log_dir: str = "runs"
    data: TranslatorDataConfig = dataclasses.field(default_factory=TranslatorDataConfig)
    tokenizer: TranslatorTokenizerConfig = dataclasses.field(default_factory=TranslatorTokenizerConfig)
    model: TranslatorModelConfig = dataclasses.field(default_factory=TranslatorModelConfig)
    training: TranslatorTrainingConfig = dataclasses.field(default_factory=TranslatorTrainingConfig)

    def to_dict(self):
        return dataclasses.asdict(self)


TASKS = {"lm": LanguageModelConfig, "classifier": ClassifierConfig, "translator": TranslatorConfig}


def available_configs(task="lm"):
    directory = os.path.join(CONFIG_DIR, task)
    return sorted(f[:-5] for f in os.listdir(directory) if f.endswith(".yaml"))


def _set_fields(target, values, source, prefix=""):
    fields = {f.name: f for f in dataclasses.fields(target)}
    for key, value in values.items():
        path = f"{prefix}{key}"
        if key not in fields:
            raise ValueError(
                f"{source}: unknown config key {path!r}. Valid keys here: {', '.join(sorted(fields))}."
            )
        current = getattr(target, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ValueError(f"{source}: {path!r} is a section; give it as a mapping of keys.")
            _set_fields(current, value, source, prefix=f"{path}.")
        else:
            if fields[key].type in (typing.Any, "typing.Any"):
                setattr(target, key, value)  # hidden_dim: one size or a list; a column: a name or an index
            else:
                setattr(target, key, _coerce(value, current, path, source))


def _coerce(value, current, path, source):
    if isinstance(current, list):
        return list(value) if isinstance(value, (list, tuple)) else [value]
    if isinstance(current, bool):
        if isinstance(value, str):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"{source}: {path} takes true or false; received {value!r}.")
            return value.lower() in ("true", "1", "yes")
        return bool(value)
    try:
        if isinstance(current, int) and not isinstance(value, bool) and not isinstance(current, bool):
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            return int(value)
        if isinstance(current, float):
            return float(value)
    except (TypeError, ValueError):
        raise ValueError(
            f"{source}: {path} takes a {type(current).__name__}; received {value!r}."
        ) from None
    return value


def load_config(config=None, overrides=(), data=None, task="lm"):
    """Builds the config of a task: `LanguageModelConfig` (`"lm"`), `ClassifierConfig` (`"classifier"`) or
    `TranslatorConfig` (`"translator"`).

    Args:
        config: a named config (`shakespeare_char`), a YAML/JSON path, or None
            for the defaults.
        overrides: `"section.key=value"` strings (values parsed as YAML).
        data: replaces `data.train` with the user's files and clears the
            configured validation (the tail of the new corpus is held out).
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {sorted(TASKS)}; received {task!r}.")
    result = TASKS[task]()
    if config:
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
                raise ValueError(f"{path}: not valid YAML: {error}") from None
        if not isinstance(values, dict):
            raise ValueError(f"{path}: a config is a mapping of sections (data, tokenizer, model, training).")
        _set_fields(result, values, path)
    if data:
        result.data.train = [data] if isinstance(data, str) else list(data)
        result.data.validation = []
    for override in overrides:
        key, separator, raw = override.partition("=")
        if not separator:
            raise ValueError(f"--set {override!r}: write overrides as key=value, e.g. training.epochs=3.")
        nested = yaml.safe_load(raw) if raw.strip() else ""
        for part in reversed(key.strip().split(".")):
            nested = {part: nested}
        _set_fields(result, nested, f"--set {override}")
    return result


def fine_tuning_config(init_from, config=None, overrides=(), data=None):
    """The language-model config for fine-tuning the saved model `init_from`.

    Without `config`, the base model's own `config.yaml` (its training settings) is used. The result is
    named `<base>_finetuned` when no `name=` override is given and either no config was given or the
    config's name would write the new model over the base; otherwise the config keeps its own name (a
    stage-2 config such as `sst2_backward` names the model that stage 3 reads).

    Example:
        >>> config = fine_tuning_config("saved_models/shakespeare_char", data=["my.txt"])  # doctest: +SKIP
        >>> config.name  # doctest: +SKIP
        'shakespeare_char_finetuned'
    """
    source = config
    if not source:
        source = os.path.join(init_from, "config.yaml")
        if not os.path.exists(source):
            raise FileNotFoundError(f"{init_from}: not a seqtk model directory (no config.yaml); "
                                    "give a config as well.")
    overrides = list(overrides or ())
    result = load_config(source, overrides=overrides, data=data)
    if any(o.strip().startswith("name=") for o in overrides):
        return result
    target = os.path.realpath(os.path.join(result.output_dir, result.name))
    if not config or target == os.path.realpath(init_from):
        result.name = os.path.basename(os.path.normpath(init_from)) + "_finetuned"
    return result
