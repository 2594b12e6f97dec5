"""The two tokenizers of a translation model, saved together in one model directory."""

import os

from seqtk.tokenizers.tokenizer import Tokenizer, inside_name, load_tokenizer

SOURCE_DIR = "source_tokenizer"
TARGET_DIR = "target_tokenizer"


class TokenizerPair(Tokenizer):
    """A source and a target tokenizer, or one joint tokenizer for both sides.

    It saves as a `tokenizer.json` of kind `"pair"` that points to one
    sub-directory per side (one only when the model is joint), so
    `load_tokenizer` and the model-directory helpers handle translators like
    every other model. `encode`/`decode` are the target side's.

    Args:
        source: the source-side tokenizer.
        target: the target-side tokenizer; `None` or `source` for a joint one.

    Example:
    >>> pair = TokenizerPair(SentencePieceTokenizer.train(["train.de"]), SentencePieceTokenizer.train(["train.en"]))
    >>> pair.save("my_model/")
    >>> load_tokenizer("my_model/").source.encode("Ein Hund läuft.")
    """

    kind = "pair"

    def __init__(self, source, target=None):
        self.source = source
        self.target = source if target is None else target

    @property
    def joint(self):
        return self.source is self.target

    @property
    def vocabulary_size(self):
        return self.target.vocabulary_size

    @property
    def newline_id(self):
        return self.target.newline_id

    def encode(self, text):
        return self.target.encode(text)

    def decode(self, ids):
        return self.target.decode(ids)

    def _config(self, directory):
        self.source.save(os.path.join(directory, SOURCE_DIR))
        if self.joint:
            return {"source": SOURCE_DIR, "target": SOURCE_DIR}
        self.target.save(os.path.join(directory, TARGET_DIR))
        return {"source": SOURCE_DIR, "target": TARGET_DIR}

    @classmethod
    def _from_config(cls, config, directory):
        source = load_tokenizer(os.path.join(directory, inside_name(config["source"], "source")))
        if config["target"] == config["source"]:
            return cls(source)
        return cls(source, load_tokenizer(os.path.join(directory, inside_name(config["target"], "target"))))
