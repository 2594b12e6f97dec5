"""The config of the text classifier (`seqtk train classifier`).

Its sections extend the shared ones of `seqtk.training.config`; a field redeclared with `default` keeps their help.
"""

import dataclasses

from seqtk.training.config import (
    DataConfig,
    RunConfig,
    TokenizerConfig,
    TrainingConfig,
    WeightDropModelConfig,
    at_least,
    choice,
    column,
    default,
    monitor_choice,
    option,
)

TRUNCATIONS = ("head", "tail", "head_tail")


@dataclasses.dataclass
class ClassifierDataConfig(DataConfig):
    train: list = default(["bundled:sst2_sentences_train"])
    format: str = choice("auto", "tsv", "csv", "jsonl", "label_text", help=(
        "The files' format; auto: from the extension. label_text: '<label> <text>' lines."))
    text_column: int | str = column("auto", help=(
        "The text's column: a header name or 0-based index; auto: text, sentence, review, ..."))
    label_column: int | str = column("auto", help=(
        "The label's column: a header name or 0-based index; auto: label, sentiment, ..."))
    max_length: int = at_least(400, 0, help="Tokens kept per text; 0 keeps all.")
    truncation: str = choice(*TRUNCATIONS, help=(
        "Which tokens a longer text keeps. head: the first max_length | tail: the last | head_tail: the first "
        "quarter and the last three quarters."))
    streaming: bool = option(False, help=(
        "Read the training files a piece (about 1 MB) at a time, every epoch, instead of holding them: a "
        "training set larger than memory. TSV, JSON lines or label-text files; needs data.validation."))


@dataclasses.dataclass
class ClassifierModelConfig(WeightDropModelConfig):
    hidden_dim: int | list = default(128)
    num_layers: int = default(1)
    bidirectional: bool = option(True, help=(
        "Read each text in both directions (a transferred classifier needs init_from_backward for it)."))
    pooling: str = choice("concat", "last", "max", "mean", help=(
        "How the recurrent outputs become one vector; concat: ULMFiT's last, max and mean side by side."))
    head_dim: int = at_least(0, 0, help="Units of a hidden dense layer before the output; 0: none.")
    residual: bool = option(False, help="Add each recurrent layer's input to its output (layers of one size).")
    reverse: bool = option(False, help=(
        "Read texts right to left (set by a backward language model the classifier is transferred from)."))


@dataclasses.dataclass
class ClassifierTrainingConfig(TrainingConfig):
    discriminative_decay: float = at_least(1.0, 1.0, help=(
        "ULMFiT: each layer group learns 1/decay as fast as the one above it (2.6 in the paper); 1: one rate."))
    gradual_unfreezing: bool = option(False, help=(
        "ULMFiT: the first epoch trains the head only, each further epoch unfreezes one more layer group."))
    monitor: str = monitor_choice("val_accuracy", "val_loss")
    pad_multiple: int = at_least(8, 1, help=(
        "Batch lengths round up to a multiple of this, bounding the shapes XLA compiles."))
    jit_compile: bool = default(False)


@dataclasses.dataclass
class ClassifierConfig(RunConfig):
    name: str = default("classifier")
    init_from: str = option("", help=(
        "A saved seqtk language model whose tokenizer, embedding and recurrent layers the classifier starts "
        "from (ULMFiT); --init-from overrides it."))
    init_from_backward: str = option("", help=(
        "A backward language model (model.reverse) with init_from's tokenizer and sizes: the classifier is "
        "then bidirectional, each direction starting from its own model (ULMFiT's forward and backward pair "
        "in one)."))
    labels: list = option(default_factory=list, help="Set by training: the class names, in output order.")
    data: ClassifierDataConfig = option(default_factory=ClassifierDataConfig, help="The training data.")
    tokenizer: TokenizerConfig = option(
        default_factory=lambda: TokenizerConfig(kind="word", vocabulary_size=20000, min_frequency=1),
        help="How texts become tokens.")
    model: ClassifierModelConfig = option(default_factory=ClassifierModelConfig, help="The network.")
    training: ClassifierTrainingConfig = option(default_factory=ClassifierTrainingConfig, help="How it trains.")
