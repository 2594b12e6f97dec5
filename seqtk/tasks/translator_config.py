"""The config of the translator (`seqtk train translator`).

Its sections extend the shared ones of `seqtk.training.config`; a field redeclared with `default` keeps their help.
"""

import dataclasses

from seqtk.training.config import (
    DataConfig,
    RecurrentModelConfig,
    RunConfig,
    TokenizerConfig,
    TrainingConfig,
    at_least,
    between,
    choice,
    column,
    default,
    monitor_choice,
    option,
)


@dataclasses.dataclass
class TranslatorDataConfig(DataConfig):
    train: list = default(["bundled:tatoeba_fr_en_train"])
    validation: list = default(["bundled:tatoeba_fr_en_valid"])
    validation_fraction: float = default(0.05)
    format: str = choice("auto", "tsv", "jsonl", help=(
        "The files' format; auto: from the extension. \"<source_file>,<target_file>\" sources are two "
        "line-aligned files."))
    source_column: int | str = column(0, help=(
        "The source side: a TSV 0-based index or header name; JSON lines or tfds: the field name."))
    target_column: int | str = column(1, help="The target side, as source_column names it.")
    source_language: str = option("fr", help="The source language's code, for the model card.")
    target_language: str = option("en", help="The target language's code, for the model card.")
    max_source_length: int = at_least(50, 1, help=(
        "Training drops pairs with longer sources; at translation time longer sources are cut to it with "
        "a warning."))
    max_target_length: int = at_least(50, 1, help=(
        "Training drops pairs with longer targets; translations stop at this many tokens."))
    streaming: bool = option(False, help=(
        "Read the training files a piece (about 1 MB) at a time, every epoch, instead of holding them: a "
        "training set larger than memory. Needs data.validation; pairs over the length limits are counted "
        "once at the start."))


@dataclasses.dataclass
class TranslatorTokenizerConfig:
    joint: bool = option(False, help="One tokenizer trained on both sides (its settings are tokenizer.source).")
    source: TokenizerConfig = option(
        default_factory=lambda: TokenizerConfig(kind="sentencepiece", vocabulary_size=8000),
        help="The source side's tokenizer.")
    target: TokenizerConfig = option(
        default_factory=lambda: TokenizerConfig(kind="sentencepiece", vocabulary_size=8000),
        help="The target side's tokenizer.")


@dataclasses.dataclass
class TranslatorModelConfig(RecurrentModelConfig):
    embedding_dim: int = default(256)
    hidden_dim: int = at_least(512, 1, help="Units of every encoder and decoder layer (one size for both).")
    dropout: float = default(0.2)
    input_dropout: float = default(0.1)
    output_dropout: float = default(0.2)
    bidirectional: bool = option(False, help="A bidirectional encoder (its two directions' states summed).")
    reverse_source: bool = option(True, help="Read the source backwards (Sutskever et al. 2014).")
    context_feeding: bool = option(False, help=(
        "Feed the encoder's final state to every decoder step as well (Cho et al. 2014)."))
    tie_embeddings: bool = option(False, help="Tie the decoder's output layer to its embedding.")


@dataclasses.dataclass
class TranslatorTrainingConfig(TrainingConfig):
    batch_size: int = default(64)
    epochs: int = default(20)
    label_smoothing: float = between(0.1, 0.0, 1.0, help="Label smoothing of the teacher-forced loss.")
    monitor: str = monitor_choice("val_bleu", "val_loss")
    bleu_sentences: int = at_least(1000, 0, help=(
        "Validation pairs translated (greedy) after each epoch for val_bleu; 0: all."))
    beam_size: int = at_least(5, 1, help="The beam of the final evaluation (greedy is always reported too).")
    length_penalty: float = at_least(0.6, 0.0, help=(
        "GNMT's alpha for beam search; 0 ranks by total log-probability."))
    pad_multiple: int = at_least(0, 0, help=(
        "Batch lengths round up to a multiple of this. 0: 8 under XLA (each (source, target) length pair "
        "is a compilation; rounding to 8 bounds them), 1 without: then a batch's shape costs nothing, so no "
        "padding beyond the longest pair (measured on 2 CPU cores, 1x512 LSTM, Tatoeba lengths: 256 ms/step "
        "unpadded, 295 ms rounded to 8, 409 ms with XLA). Decoding loops are compiled regardless."))
    jit_compile: bool = default(False)


@dataclasses.dataclass
class TranslatorConfig(RunConfig):
    name: str = default("translator")
    data: TranslatorDataConfig = option(default_factory=TranslatorDataConfig, help="The training data.")
    tokenizer: TranslatorTokenizerConfig = option(default_factory=TranslatorTokenizerConfig,
                                                  help="How each side's texts become tokens.")
    model: TranslatorModelConfig = option(default_factory=TranslatorModelConfig, help="The network.")
    training: TranslatorTrainingConfig = option(default_factory=TranslatorTrainingConfig, help="How it trains.")
