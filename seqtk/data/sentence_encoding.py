"""Texts to token id arrays, with errors that say which file and line a bad text came from."""

import numpy as np

from seqtk.errors import DataError


def encode_sentences(tokenizer, texts, locations=None, what="text"):
    """Token ids of each (stripped) text as int32 arrays.

    Args:
        tokenizer: any seqtk tokenizer.
        texts: the strings to encode.
        locations: where each text came from (`"train.tsv, line 7"`), for errors.
        what: the noun errors use (`"text"`, `"source sentence"`).

    A text the tokenizer rejects, or one that encodes to no tokens, raises a
    `ValueError` that names its location.
    """
    sequences = []
    for index, text in enumerate(texts):
        where = locations[index] if locations else f"{what} {index + 1}"
        try:
            ids = tokenizer.encode(text.strip())
        except ValueError as error:
            raise DataError(f"{where}: {error}") from None
        if not ids:
            raise DataError(f"{where}: the {what} encodes to no tokens. Remove it or fill it in.")
        sequences.append(np.asarray(ids, dtype=np.int32))
    return sequences


def truncate(sequence, max_length, truncation):
    """`sequence` cut to `max_length` ids as `truncation` says (`head`, `tail` or `head_tail`)."""
    if len(sequence) <= max_length:
        return sequence
    if truncation == "head":
        return sequence[:max_length]
    if truncation == "tail":
        return sequence[-max_length:]
    # head_tail: a review's opening and its verdict at the end carry most of the sentiment; the first quarter
    # and the last three quarters is the split Sun et al. (2019) found best on IMDB.
    head = max_length // 4
    return np.concatenate([sequence[:head], sequence[len(sequence) - (max_length - head):]])


def tagger_inputs(tokenizer, tokens, width, length=None):
    """A tagger export's int32 inputs for one sentence of pre-split `tokens`: `{"token_ids": (1, words),
    "char_ids": (1, words, width)}` (a `WordCharTokenizer`'s ids, each word's characters right-padded with 0),
    padded with 0 to `length` words if given."""
    word_ids, char_ids = tokenizer.encode_tokens(list(tokens), width)
    length = length or len(tokens)
    words = np.zeros((1, length), np.int32)
    words[0, : len(tokens)] = word_ids
    chars = np.zeros((1, length, width), np.int32)
    chars[0, : len(tokens), : char_ids.shape[1]] = char_ids[:, :width]
    return {"token_ids": words, "char_ids": chars}
