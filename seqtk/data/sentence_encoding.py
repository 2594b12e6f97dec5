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
