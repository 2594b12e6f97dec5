"""Character-level tokenizer."""

import collections

from seqtk.errors import TokenizerError
from seqtk.tokenizers.tokenizer import Tokenizer

PAD = "<pad>"
UNK = "<unk>"
# What the unknown symbol decodes to: Unicode's replacement character, which stands for "a character
# that could not be represented".
UNKNOWN_TEXT = "\ufffd"


class CharTokenizer(Tokenizer):
    """One id per character, built from the characters of a corpus.

    Id 0 is padding and id 1 the unknown symbol `<unk>`, which every character outside the vocabulary
    is read as (it decodes to U+FFFD, "�"); then characters by descending frequency, then code point,
    so the same corpus always gives the same ids. Tokenizers saved before seqtk had `<unk>` have none:
    they leave unknown characters out (commands report them either way). `extended` adds characters
    after the existing ids, which is how a fine-tuned model grows its vocabulary.

    Args:
        characters: the vocabulary, without padding; `"<unk>"` among them is the unknown symbol.

    Example:
    >>> tokenizer = CharTokenizer.train(["To be, or not to be"])
    >>> tokenizer.decode(tokenizer.encode("to be"))
    'to be'
    >>> tokenizer.decode(tokenizer.encode("to be 2"))   # '2' is not in the vocabulary
    'to be \ufffd'
    """

    kind = "char"

    def __init__(self, characters):
        characters = list(characters)
        if len(set(characters)) != len(characters):
            raise TokenizerError("CharTokenizer characters must be distinct.")
        if not [c for c in characters if c != UNK]:
            raise TokenizerError("CharTokenizer needs at least one character; the training text was empty.")
        bad = [c for c in characters if len(c) != 1 and c != UNK]
        if bad:
            raise TokenizerError(f"CharTokenizer characters must be single characters (or {UNK!r}); received {bad[:5]}.")
        self.characters = characters
        self._ids = {c: i + 1 for i, c in enumerate(characters)}
        self._unknown_id = self._ids.get(UNK)

    @classmethod
    def train(cls, texts, max_size=None):
        """Builds the vocabulary from an iterable of strings (`<unk>`, then most frequent first)."""
        counts = collections.Counter()
        for text in texts:
            counts.update(text)
        ordered = sorted(counts, key=lambda c: (-counts[c], c))
        if max_size is not None:
            ordered = ordered[: max(max_size - 2, 1)]
        return cls([UNK] + ordered)

    @property
    def vocabulary_size(self):
        return len(self.characters) + 1

    @property
    def unknown_id(self):
        return self._unknown_id

    @property
    def newline_id(self):
        return self._ids.get("\n", 1)

    def encode_array(self, text):
        # One table lookup per code point: tens of MB/s where the list comprehension of `encode` does a few.
        import numpy as np

        if getattr(self, "_table", None) is None:
            missing = self._unknown_id if self._unknown_id is not None else -1
            self._table = np.full(0x110000, missing, dtype=np.int32)
            for character, index in self._ids.items():
                if len(character) == 1:
                    self._table[ord(character)] = index
        points = np.frombuffer(self.normalizer(text).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        ids = self._table[points]
        return ids if self._unknown_id is not None else ids[ids >= 0]

    def _encode(self, text):
        ids = self._ids
        try:
            return [ids[c] for c in text]
        except KeyError:
            unknown = self._unknown_id
            if unknown is None:
                return [ids[c] for c in text if c in ids]
            return [ids.get(c, unknown) for c in text]

    def _unknown_symbols(self, text):
        counts = collections.Counter(text)
        return len(text), collections.Counter({c: n for c, n in counts.items() if c not in self._ids})

    def extended(self, symbols):
        added = [c for c in dict.fromkeys(symbols) if c not in self._ids]
        if self._unknown_id is None:
            added.insert(0, UNK)  # so what stays rare has an id too
        tokenizer = CharTokenizer(self.characters + added)
        tokenizer.normalizer = self.normalizer
        return tokenizer

    def decode(self, ids):
        size = len(self.characters)
        return "".join(UNKNOWN_TEXT if i == self._unknown_id else self.characters[i - 1]
                       for i in ids if 0 < i <= size)

    def _config(self, directory):
        return {"characters": self.characters}

    @classmethod
    def _from_config(cls, config, directory):
        characters = config["characters"]
        if not isinstance(characters, list) or not all(isinstance(c, str) and c for c in characters):
            raise TokenizerError("'characters' must be a list of non-empty strings")
        return cls(characters)
