"""Character-level tokenizer."""

import collections

from seqtk.tokenizers.tokenizer import Tokenizer

PAD = "<pad>"


class CharTokenizer(Tokenizer):
    """One id per character, built from the characters of a corpus.

    Id 0 is padding; characters are ordered by first frequency then code
    point, so the same corpus always gives the same ids. A character that the
    vocabulary does not hold is an error that names it, since a character
    model cannot represent it.

    Args:
        characters: the vocabulary, without padding.

    Example:
    >>> tokenizer = CharTokenizer.train(["To be, or not to be"])
    >>> tokenizer.decode(tokenizer.encode("to be"))
    'to be'
    """

    kind = "char"

    def __init__(self, characters):
        characters = list(characters)
        if len(set(characters)) != len(characters):
            raise ValueError("CharTokenizer characters must be distinct.")
        if not characters:
            raise ValueError("CharTokenizer needs at least one character; the training text was empty.")
        self.characters = characters
        self._ids = {c: i + 1 for i, c in enumerate(characters)}

    @classmethod
    def train(cls, texts, max_size=None):
        """Builds the vocabulary from an iterable of strings (most frequent first)."""
        counts = collections.Counter()
        for text in texts:
            counts.update(text)
        ordered = sorted(counts, key=lambda c: (-counts[c], c))
        if max_size is not None:
            ordered = ordered[: max_size - 1]
        return cls(ordered)

    @property
    def vocabulary_size(self):
        return len(self.characters) + 1

    @property
    def newline_id(self):
        return self._ids.get("\n", 1)

    def _encode(self, text):
        try:
            return [self._ids[c] for c in text]
        except KeyError:
            unknown = sorted({c for c in text if c not in self._ids})
            raise ValueError(
                f"Characters {unknown} are not in this model's vocabulary of {len(self.characters)} "
                "characters; remove them from the text, or train a model on a corpus that contains them."
            ) from None

    def decode(self, ids):
        return "".join(self.characters[i - 1] for i in ids if 0 < i <= len(self.characters))

    def _config(self, directory):
        return {"characters": self.characters}

    @classmethod
    def _from_config(cls, config, directory):
        return cls(config["characters"])
