"""The interface every seqtk tokenizer implements, and loading a saved one."""

import json
import os

from seqtk.errors import TokenizerError
from seqtk.tokenizers.text_normalizer import TextNormalizer

PAD_ID = 0
TOKENIZER_FILE = "tokenizer.json"
_KINDS = {}  # kind -> class: each subclass with a `kind` registers itself when it is defined


class Tokenizer:
    """Base class: text to integer ids and back, saved as files in a directory.

    Id 0 is always padding, so batches of unequal sequences can be masked.
    Subclasses implement `_encode`, `decode`, `vocabulary_size`, `_config` and
    `_from_config`; `save` and `load_tokenizer` handle the files. `normalizer`
    (a `TextNormalizer`) cleans text before `encode` and is saved with it.

    Example:
    >>> tokenizer = CharTokenizer.train(["hello world"])
    >>> tokenizer.decode(tokenizer.encode("hello"))
    'hello'
    >>> tokenizer.save("my_model/")
    >>> load_tokenizer("my_model/").encode("hello") == tokenizer.encode("hello")
    True
    """

    kind = None
    pad_id = PAD_ID
    normalizer = TextNormalizer()
    # What one symbol is, in reports of symbols outside the vocabulary.
    symbol_name = "characters"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind:
            _KINDS[cls.kind] = cls

    @property
    def unknown_id(self):
        """Id that symbols outside the vocabulary are read as; `None` when they are left out instead."""
        return None

    def unknown_symbols(self, text):
        """`(symbols, unknown)`: how many symbols `text` (normalized as `encode` does) has, and a
        `collections.Counter` of those outside the vocabulary."""
        return self._unknown_symbols(self.normalizer(text))

    def _unknown_symbols(self, text):
        raise NotImplementedError

    def extended(self, symbols):
        """A tokenizer with `symbols` added after the existing ids (every existing id keeps its meaning)."""
        raise NotImplementedError(f"A {self.kind} tokenizer cannot grow its vocabulary.")

    @property
    def vocabulary_size(self):
        raise NotImplementedError

    def encode(self, text):
        """Ids of `text` after normalization; a newline becomes the tokenizer's end-of-line token.

        Symbols outside the vocabulary become `unknown_id` (left out by a tokenizer without one); see
        `seqtk.tokenizers.unknown_symbols` for how commands report them, or refuse them under `--strict`.
        """
        return self._encode(self.normalizer(text))

    def _encode(self, text):
        raise NotImplementedError

    def encode_array(self, text):
        """`encode(text)` as an int32 numpy array (a tokenizer may compute it faster than the list)."""
        import numpy as np

        return np.asarray(self.encode(text), dtype=np.int32)

    def decode(self, ids):
        raise NotImplementedError

    @property
    def newline_id(self):
        """Id that separates lines: what a language model is prompted with when no prompt is given."""
        raise NotImplementedError

    def _config(self, directory):
        raise NotImplementedError

    @classmethod
    def _from_config(cls, config, directory):
        raise NotImplementedError

    def save(self, directory):
        os.makedirs(directory, exist_ok=True)
        config = {"kind": self.kind, **self._config(directory)}
        if self.normalizer:
            config["normalize"] = list(self.normalizer.steps)
        with open(os.path.join(directory, TOKENIZER_FILE), "w", encoding="utf-8") as handle:
            json.dump(config, handle, ensure_ascii=False, indent=1)


def is_plain_name(name):
    """True for the name of one file or folder inside another: not empty, not `.` or `..`, no separator
    or NUL, so joined to a folder it cannot lead outside it (`../x`, `/etc/x`, `a/b`)."""
    return isinstance(name, str) and name not in ("", ".", "..") and not any(c in name for c in "/\\\0")


def inside_name(name, key):
    """`name` when it names a file or folder directly inside the tokenizer's directory; a path that leads
    elsewhere is refused, so a model folder cannot make seqtk read outside itself."""
    if not is_plain_name(name):
        raise TokenizerError(f"{key!r} must name a file inside the tokenizer's folder; received {name!r}")
    return name


def load_tokenizer(directory):
    """Loads the tokenizer that `Tokenizer.save` wrote to `directory` (any kind `seqtk.tokenizers` defines)."""
    path = os.path.join(directory, TOKENIZER_FILE)
    if not os.path.exists(path):
        raise FileNotFoundError(
            f"{path}: no tokenizer here. A seqtk model directory holds {TOKENIZER_FILE} beside the "
            "model; point to the directory that `seqtk train` wrote."
        )
    try:
        with open(path, encoding="utf-8") as handle:
            config = json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TokenizerError(f"{path}: not a seqtk tokenizer file (it is not JSON text: {error}).") from None
    if not isinstance(config, dict):
        raise TokenizerError(f"{path}: not a seqtk tokenizer file (a JSON object with a 'kind' was expected).")
    kinds = _KINDS
    if config.get("kind") not in kinds:
        raise TokenizerError(f"{path}: unknown tokenizer kind {config.get('kind')!r}; expected one of {sorted(kinds)}.")
    try:
        tokenizer = kinds[config["kind"]]._from_config(config, directory)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OSError, RuntimeError) as error:
        # A file that claims a kind but does not hold it (a missing key, a wrong type, a model file that is
        # not SentencePiece's) is refused rather than half loaded.
        raise TokenizerError(f"{path}: not a valid {config['kind']} tokenizer ({type(error).__name__}: {error}). "
                         "It was not written by seqtk or was changed since; use the model directory as "
                         "`seqtk train` wrote it.") from None
    tokenizer.normalizer = TextNormalizer(config.get("normalize", ()))
    return tokenizer
