"""The tokenizer of a sequence tagger: pre-split tokens to word ids and to the character ids of each word."""

import collections
import os

import numpy as np

from seqtk.errors import TokenizerError
from seqtk.tokenizers.char_tokenizer import CharTokenizer
from seqtk.tokenizers.tokenizer import Tokenizer, inside_name, load_tokenizer
from seqtk.tokenizers.word_tokenizer import WordTokenizer

WORDS_DIR = "word_tokenizer"
CHARS_DIR = "char_tokenizer"


class WordCharTokenizer(Tokenizer):
    """Word ids and per-word character ids for text that is already split into tokens.

    A tagger gives one tag per token, so a token is never split or merged: each one is looked up whole in
    the word vocabulary (after the normalizer, e.g. lowercasing and `zero_digits`; a token with a space
    inside, which UD allows, is one word too), and its characters, as written, go to the character
    vocabulary. It saves as a `tokenizer.json` of kind `"word_char"` pointing to one folder per side.
    `encode(text)` splits `text` on whitespace (how `seqtk tag` reads a sentence) and gives the word ids.

    Args:
        words: a `WordTokenizer` (its normalizer applies to every token before lookup).
        chars: a `CharTokenizer`, or None for a tagger without a character encoder.

    Example:
    >>> tokenizer = WordCharTokenizer.train([["Angela", "Merkel", "visited", "Paris", "."]], lowercase=True)
    >>> word_ids, char_ids = tokenizer.encode_tokens(["Merkel", "visited", "Berlin"], max_word_length=20)
    >>> word_ids.shape, char_ids.shape           # Berlin is an unknown word, but its characters are known
    ((3,), (3, 7))
    """

    kind = "word_char"
    symbol_name = "words"
    # What the report of words outside the vocabulary advises.
    unknown_remedy = ("The character encoder still spells those words out, so they are tagged from their "
                      "characters; a training corpus of text like this one covers more of them.")

    def __init__(self, words, chars=None):
        self.words, self.chars = words, chars
        self.normalizer = words.normalizer
        self._char_cache = {}

    @classmethod
    def train(cls, sentences, min_frequency=1, max_size=None, lowercase=False, normalize=(), characters=True,
              max_characters=None):
        """Builds both vocabularies from token sequences (`sentences`: lists of tokens)."""
        from seqtk.tokenizers.text_normalizer import TextNormalizer

        normalizer = TextNormalizer(normalize)
        counts, char_counts = collections.Counter(), collections.Counter()
        for tokens in sentences:
            for token in tokens:
                counts[_word_key(normalizer(token), lowercase)] += 1
                char_counts.update(token)
        counts.pop("", None)
        for special in WordTokenizer.special_tokens:
            counts.pop(special, None)
        kept = sorted((w for w, n in counts.items() if n >= min_frequency), key=lambda w: (-counts[w], w))
        if max_size is not None:
            kept = kept[: max(max_size - len(WordTokenizer.special_tokens), 0)]
        words = WordTokenizer(kept, lowercase=lowercase)
        words.normalizer = normalizer
        chars = None
        if characters:
            ordered = sorted(char_counts, key=lambda c: (-char_counts[c], c))
            if max_characters is not None:
                ordered = ordered[: max(max_characters - 2, 1)]
            chars = CharTokenizer(["<unk>"] + ordered)
        return cls(words, chars)

    @classmethod
    def from_words(cls, words, characters=True):
        """A tokenizer of `words` (a `WordTokenizer`, e.g. a language model's) with a character vocabulary of
        the characters its words are written with (most frequent first)."""
        chars = None
        if characters:
            counts = collections.Counter()
            for word in words.words:
                counts.update(word)
            chars = CharTokenizer(["<unk>"] + sorted(counts, key=lambda c: (-counts[c], c)))
        return cls(words, chars)

    def extended(self, symbols):
        """The words `symbols` added after the existing word ids; the characters stay as they are."""
        return WordCharTokenizer(self.words.extended(symbols), self.chars)

    @property
    def vocabulary_size(self):
        return self.words.vocabulary_size

    @property
    def char_vocabulary_size(self):
        return self.chars.vocabulary_size if self.chars is not None else 0

    @property
    def unknown_id(self):
        return self.words.unk_id

    @property
    def newline_id(self):
        return self.words.eos_id

    def word_ids(self, tokens):
        """The word id of each token (whole, normalized), `<unk>`'s for a word outside the vocabulary."""
        lookup, unknown, lowercase = self.words.token_index, self.words.unk_id, self.words.lowercase
        return np.array([lookup.get(_word_key(self.normalizer(t), lowercase), unknown) for t in tokens],
                        dtype=np.int32)

    def char_ids(self, token, max_word_length):
        """The character ids of `token` as written; a word longer than `max_word_length` keeps its first and
        last characters (half each), where prefixes and suffixes are."""
        key = (token, max_word_length)
        ids = self._char_cache.get(key)
        if ids is None:
            ids = self.chars.encode_array(token) if self.chars is not None else np.zeros(0, np.int32)
            if len(ids) > max_word_length:
                head = (max_word_length + 1) // 2
                ids = np.concatenate([ids[:head], ids[len(ids) - (max_word_length - head):]])
            if len(ids) == 0:  # a token of characters the normalizer removed: still one character slot
                ids = np.array([self.chars.unknown_id or 1 if self.chars is not None else 0], np.int32)
            if len(self._char_cache) < 500_000:
                self._char_cache[key] = ids
        return ids

    def encode_tokens(self, tokens, max_word_length=20):
        """`(word_ids (n,), char_ids (n, longest word))` int32, character rows right-padded with 0."""
        word_ids = self.word_ids(tokens)
        rows = [self.char_ids(t, max_word_length) for t in tokens] if self.chars is not None else []
        width = max((len(r) for r in rows), default=1)
        char_ids = np.zeros((len(tokens), width), dtype=np.int32)
        for index, row in enumerate(rows):
            char_ids[index, : len(row)] = row
        return word_ids, char_ids

    def _unknown_symbols(self, text):
        # The words as the vocabulary would hold them (lowercased if it is), what `extended` adds.
        keys = [_word_key(t, self.words.lowercase) for t in text.split()]
        lookup = self.words.token_index
        return len(keys), collections.Counter(k for k in keys if k not in lookup)

    def unknown_tokens(self, tokens):
        """`(count, Counter of tokens outside the word vocabulary)` for pre-split `tokens`."""
        lookup, lowercase = self.words.token_index, self.words.lowercase
        keys = [_word_key(self.normalizer(t), lowercase) for t in tokens]
        return len(keys), collections.Counter(t for t, k in zip(tokens, keys, strict=True) if k not in lookup)

    def _encode(self, text):
        return self.word_ids(text.split()).tolist()

    def decode(self, ids):
        return self.words.decode(ids)

    def _config(self, directory):
        self.words.save(os.path.join(directory, WORDS_DIR))
        config = {"words": WORDS_DIR}
        if self.chars is not None:
            self.chars.save(os.path.join(directory, CHARS_DIR))
            config["chars"] = CHARS_DIR
        return config

    @classmethod
    def _from_config(cls, config, directory):
        words = load_tokenizer(os.path.join(directory, inside_name(config["words"], "words")))
        chars = None
        if config.get("chars"):
            chars = load_tokenizer(os.path.join(directory, inside_name(config["chars"], "chars")))
        if not isinstance(words, WordTokenizer) or not (chars is None or isinstance(chars, CharTokenizer)):
            raise TokenizerError("a word_char tokenizer holds a word tokenizer and a char tokenizer")
        return cls(words, chars)


def _word_key(token, lowercase):
    return token.lower() if lowercase else token
