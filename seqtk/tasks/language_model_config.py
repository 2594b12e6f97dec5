"""The config of the language model (`seqtk train lm`).

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
    option,
)


@dataclasses.dataclass
class LanguageModelDataConfig(DataConfig):
    train: list = default(["bundled:tinyshakespeare"])
    tfds_text_key: str = option("text", help="tfds: the feature that holds the text.")
    text_column: int | str = column("", help=(
        "Text from one column of a labelled file (TSV, CSV, JSON lines): a name or 0-based index; \"\" "
        "reads plain text."))
    format: str = choice("auto", "tsv", "csv", "jsonl", "label_text", help=(
        "text_column: the files' format; auto: from the extension."))
    prepared: str = option("", help=(
        "A corpus `seqtk prepare` tokenized into shards on disk: training streams from it (memory stays "
        "flat however large it is) instead of reading data.train; its validation split (or held-out tail) "
        "validates."))


@dataclasses.dataclass
class LanguageModelModelConfig(WeightDropModelConfig):
    tie_weights: bool = option(False, help=(
        "Tie the output layer to the embedding (Press and Wolf 2017; the last layer's size must be "
        "embedding_dim)."))
    residual: bool = option(False, help="Add each recurrent layer's input to its output (layers of one size).")
    activation_regularization: float = at_least(0.0, 0.0, help=(
        "AR: penalty on the last layer's (dropped-out) outputs' magnitude (Merity et al. 2017: 2)."))
    temporal_activation_regularization: float = at_least(0.0, 0.0, help=(
        "TAR: penalty on the change of the last layer's outputs from one step to the next (Merity et al. 2017: "
        "1)."))
    reverse: bool = option(False, help="Read text right to left: the backward model of a ULMFiT pair.")
    start_state: bool = option(True, help=(
        "Record, after training, the state the model reaches at a line break of its training text, and "
        "start generation from it (a model trained with carried state has almost never seen the zero "
        "state)."))


@dataclasses.dataclass
class LanguageModelTrainingConfig(TrainingConfig):
    pipeline: str = choice("stream", "windows", help=(
        "stream: the state carries across batches (truncated BPTT) | windows: shuffled independent windows."))
    batch_size: int = default(20)
    sequence_length: int = at_least(35, 1, help="BPTT length: tokens per step, in training and evaluation.")
    eval_batch_size: int = default(10)


@dataclasses.dataclass
class LanguageModelConfig(RunConfig):
    name: str = default("language_model")
    sample_prompt: str = option("", help="After training, a sample is generated from this prompt.")
    sample_length: int = at_least(300, 0, help="Tokens of the sample generated after training.")
    data: LanguageModelDataConfig = option(default_factory=LanguageModelDataConfig, help="The training data.")
    tokenizer: TokenizerConfig = option(default_factory=TokenizerConfig, help="How texts become tokens.")
    model: LanguageModelModelConfig = option(default_factory=LanguageModelModelConfig, help="The network.")
    training: LanguageModelTrainingConfig = option(default_factory=LanguageModelTrainingConfig,
                                                   help="How it trains.")
