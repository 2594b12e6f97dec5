"""The config of the sequence tagger (`seqtk train tagger`).

Its sections extend the shared ones of `seqtk.training.config`; a field redeclared with `default` keeps their help.
"""

import dataclasses

from seqtk.data.tag_schemes import SCHEMES
from seqtk.errors import ConfigError
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

_SCHEME_ALIASES = {s.lower(): s for s in SCHEMES}


@dataclasses.dataclass
class TaggerDataConfig(DataConfig):
    train: list = default(["bundled:ud_ewt_sample_train"])
    validation: list = default(["bundled:ud_ewt_sample_dev"])
    format: str = choice("auto", "conllu", "conll", "jsonl", help=(
        "auto: .conllu is CoNLL-U, .jsonl/.json JSON lines ({\"tokens\": [...], \"tags\": [...]}), other "
        "files CoNLL-2003-style columns (blank lines between sentences, -DOCSTART- skipped)."))
    tag_column: int | str = column("auto", help=(
        "CoNLL-U: a column name (upos, xpos, deprel, ...) or 0-based index, auto = upos; column files: a "
        "0-based index, auto = the last; tfds: a feature (auto = ner)."))
    scheme: str = choice("auto", "none", *SCHEMES, aliases=_SCHEME_ALIASES, help=(
        "How the files' tags are written: none (plain tags, part of speech), IOB1 (CoNLL-2003), BIO, "
        "BIOES; auto: read from the tags (set by training)."))
    train_scheme: str = choice("same", *SCHEMES, aliases=_SCHEME_ALIASES, help=(
        "The scheme the model learns (same: the files'); BIOES marks entity ends, which often helps a CRF."))
    output_scheme: str = choice("same", *SCHEMES, aliases=_SCHEME_ALIASES, help=(
        "The scheme `seqtk tag` writes and evaluation compares in (same: the files')."))
    strict_scheme: bool = option(False, help=(
        "An entity tag its scheme does not allow where it stands (BIO's I-PER after O) is an error naming "
        "file and line; off: read as conlleval reads it (the I- opens an entity) and counted in the log."))
    max_word_length: int = at_least(20, 1, help=(
        "Characters the character encoder reads per word (its first and last ones)."))


@dataclasses.dataclass
class TaggerModelConfig(WeightDropModelConfig):
    embedding_dim: int = default(100)
    hidden_dim: int | list = default(100)
    num_layers: int = default(1)
    input_dropout: float = default(0.5)  # Lample et al. 2016: 0.5 on the token vectors
    char_embedding_dim: int = at_least(25, 1, help="Size of the character vectors of the character encoder.")
    char_hidden_dim: int = at_least(25, 0, help=(
        "Units of each direction of the character BiLSTM over each word; 0: no character encoder."))
    bidirectional: bool = option(True, help="Read each sentence in both directions.")
    crf: bool = option(True, help=(
        "A linear-chain CRF (Viterbi decoding) over the tag scores; false: a softmax per token."))
    constrained: bool = option(True, help=(
        "CRF: the transitions the tag scheme forbids (O -> I-PER under BIO) are never decoded."))


@dataclasses.dataclass
class TaggerTrainingConfig(TrainingConfig):
    epochs: int = default(20)
    monitor: str = monitor_choice("val_accuracy", "val_f1", "val_loss")  # val_f1 for entities
    # The character encoder reads words outside the vocabulary, so a dev set with many is usual for a tagger.
    unknown_warning: float = default(0.3)
    early_stopping_patience: int = default(4)
    pad_multiple: int = at_least(8, 1, help=(
        "Sentence lengths round up to a multiple of this, bounding the shapes XLA compiles."))
    jit_compile: bool = default(False)


@dataclasses.dataclass
class TaggerConfig(RunConfig):
    name: str = default("tagger")
    init_from: str = option("", help=(
        "A saved word-level seqtk language model whose vocabulary, word embedding and recurrent layers "
        "the tagger starts from (the forward directions); --init-from overrides it."))
    init_from_backward: str = option("", help=(
        "A backward language model (model.reverse) for the backward directions, with init_from's vocabulary."))
    tags: list = option(default_factory=list, help="Set by training: the tag names, in id order.")
    data: TaggerDataConfig = option(default_factory=TaggerDataConfig, help="The training data.")
    tokenizer: TokenizerConfig = option(default_factory=lambda: TokenizerConfig(
        kind="word", vocabulary_size=50000, min_frequency=1, lowercase=True, normalize=["zero_digits"]),
        help="How sentences' words are read (the characters of each go to the character encoder).")
    model: TaggerModelConfig = option(default_factory=TaggerModelConfig, help="The network.")
    training: TaggerTrainingConfig = option(default_factory=TaggerTrainingConfig, help="How it trains.")

    def validate(self, source="config"):
        super().validate(source)
        if self.tokenizer.kind != "word":
            raise ConfigError(f"{source}: a tagger reads whole tokens, so tokenizer.kind must be word (its "
                              f"characters go to the character encoder); received {self.tokenizer.kind!r}.")
        if "split_punctuation" in self.tokenizer.normalize:
            raise ConfigError(f"{source}: tokenizer.normalize split_punctuation would split tokens, and a tagger "
                              "gives one tag per token; leave it out.")
        if self.training.monitor == "val_f1" and self.data.scheme == "none":
            raise ConfigError(f"{source}: training.monitor=val_f1 scores entities, but the tags are plain tags "
                              "(data.scheme none, as set or as read from the training tags: no B-/I- prefixes); "
                              "monitor val_accuracy, or set data.scheme.")
