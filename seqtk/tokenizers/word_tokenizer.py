"""Whitespace word tokenizer with a frequency-limited vocabulary."""

import collections

from seqtk.errors import TokenizerError
from seqtk.tokenizers.tokenizer import Tokenizer

PAD, UNK, EOS = "<pad>", "<unk>", "<eos>"


class WordTokenizer(Tokenizer):
    """Splits on whitespace; each newline becomes `<eos>` (the PTB protocol).

    Words rarer than `min_frequency`, or beyond the `max_size` most frequent,
    map to `<unk>`. Ids: 0 `<pad>`, 1 `<unk>`, 2 `<eos>`, then words by
    descending frequency.

    Args:
        words: the vocabulary, without the three special tokens.
        lowercase: lowercase text before lookup.

    `extended` adds words after the existing ids (a fine-tuned model growing its vocabulary).

    Example:
    >>> tokenizer = WordTokenizer.train(["the cat sat\\nthe dog"], min_frequency=1)
    >>> tokenizer.decode(tokenizer.encode("the cat\\n"))
    'the cat\\n'
    """

    kind = "word"
    special_tokens = (PAD, UNK, EOS)
    symbol_name = "words"

    def __init__(self, words, lowercase=False):
        self.words = [w for w in words if w not in self.special_tokens]
        self.lowercase = lowercase
        self.vocabulary = list(self.special_tokens) + self.words
        index = {w: i for i, w in enumerate(self.vocabulary)}
        self.unk_id, self.eos_id = index[UNK], index[EOS]
        # Text that spells "<pad>" or "<eos>" is an unknown word like any other: as those ids it would be
        # padding (masked away) or a line break. A literal "<unk>" (PTB writes them) is the unknown word.
        self._ids = {w: i for w, i in index.items() if w not in (PAD, EOS)}

    @classmethod
    def train(cls, texts, min_frequency=1, max_size=None, lowercase=False):
        """Builds the vocabulary from an iterable of strings."""
        counts = collections.Counter()
        for text in texts:
            counts.update((text.lower() if lowercase else text).split())
        for token in cls.special_tokens:
            counts.pop(token, None)
        words = sorted((w for w, n in counts.items() if n >= min_frequency), key=lambda w: (-counts[w], w))
        if max_size is not None:
            words = words[: max(max_size - len(cls.special_tokens), 0)]
        return cls(words, lowercase=lowercase)

    @property
    def vocabulary_size(self):
        return len(self.vocabulary)

    @property
    def newline_id(self):
        return self.eos_id

    @property
    def token_index(self):
        """`{word: id}` of the words text can name (not `<pad>` or `<eos>`, which text reads as unknown)."""
        return self._ids

    @property
    def unknown_id(self):
        return self.unk_id

    def _unknown_symbols(self, text):
        words = (text.lower() if self.lowercase else text).split()
        ids = self._ids
        return len(words), collections.Counter(w for w in words if w not in ids)

    def extended(self, symbols):
        tokenizer = WordTokenizer(self.words + [w for w in dict.fromkeys(symbols) if w not in self._ids],
                                  lowercase=self.lowercase)
        tokenizer.normalizer = self.normalizer
        return tokenizer

    def _encode(self, text):
        if self.lowercase:
            text = text.lower()
        ids = []
        for line_number, line in enumerate(text.split("\n")):
            if line_number:
                ids.append(self.eos_id)
            ids.extend(self._ids.get(w, self.unk_id) for w in line.split())
        return ids

    def decode(self, ids):
        pieces = []
        for i in ids:
            if i == self.eos_id:
                pieces.append("\n")
            elif 0 < i < len(self.vocabulary):
                pieces.append(self.vocabulary[i])
        return " ".join(pieces).replace(" \n ", "\n").replace(" \n", "\n").replace("\n ", "\n")

    def _config(self, directory):
        return {"words": self.words, "lowercase": self.lowercase}

    @classmethod
    def _from_config(cls, config, directory):
        words = config["words"]
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            raise TokenizerError("'words' must be a list of non-empty strings")
        return cls(words, lowercase=bool(config.get("lowercase", False)))
