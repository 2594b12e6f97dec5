"""Batches of tagged sentences: word ids, each word's character ids, and tag ids, length-bucketed."""

import numpy as np
import tensorflow as tf

from seqtk.data.batch_stream import BatchStream
from seqtk.data.classification_dataset import bucketed_order

_IDS = tf.TensorSpec((None, None), tf.int32)
# `(word_ids, spellings, spelling_index)`: each distinct word of the batch spelled once.
INPUT_SIGNATURE = (_IDS, _IDS, _IDS)
# `(word_ids, char_ids)`: every token spelled in place, at a fixed width (XLA).
FIXED_INPUT_SIGNATURE = (_IDS, tf.TensorSpec((None, None, None), tf.int32))


def signature(char_width=None):
    """The `(inputs, tag_ids)` spec of the batches `tagging_batches` makes."""
    return (FIXED_INPUT_SIGNATURE if char_width else INPUT_SIGNATURE), _IDS


def encode_sentences(tokenizer, sentences, max_word_length):
    """`[(word_ids, char_ids)]` of each sentence's tokens (`tokenizer` a `WordCharTokenizer`)."""
    return [tokenizer.encode_tokens(s.tokens, max_word_length) for s in sentences]


def tag_ids(sentences, tags, unknown=0):
    """Each sentence's tags as an int32 array of indices into `tags` (a tag not among them: `unknown`)."""
    index = {tag: i for i, tag in enumerate(tags)}
    return [np.array([index.get(t, unknown) for t in s.tags], dtype=np.int32) for s in sentences]


def pad_tagged(encoded, pad_multiple=1, tags=None, char_width=None):
    """`(inputs, tag_ids)` of a batch (`inputs` alone without `tags`), right-padded with 0, the sentence
    length rounded up to `pad_multiple` (fewer shapes for XLA).

    The inputs are `(word_ids (batch, length), spellings (distinct words, width), spelling_index (batch,
    length))`: each distinct spelling of the batch once (row 0 is padding's, all 0), and for each token the
    row of its spelling. The character encoder, most of a tagger's work, then reads each word once and no
    padding (a batch of 64 sentences has about half as many distinct words as tokens). With `char_width`
    the inputs are `(word_ids, char_ids (batch, length, char_width))` instead, every token spelled in
    place: one shape per sentence length, as XLA needs.
    """
    length = -(-max(len(w) for w, _ in encoded) // pad_multiple) * pad_multiple
    words = np.zeros((len(encoded), length), dtype=np.int32)
    for row, (word_ids, _) in enumerate(encoded):
        words[row, : len(word_ids)] = word_ids
    if char_width:
        chars = np.zeros((len(encoded), length, char_width), dtype=np.int32)
        for row, (_, char_ids) in enumerate(encoded):
            chars[row, : char_ids.shape[0], : char_ids.shape[1]] = char_ids[:, :char_width]
        inputs = (words, chars)
    else:
        rows, spelled = {}, [np.zeros(0, np.int32)]
        index = np.zeros((len(encoded), length), dtype=np.int32)
        for row, (_, char_ids) in enumerate(encoded):
            for position, characters in enumerate(char_ids):
                characters = characters[: np.count_nonzero(characters)]
                key = characters.tobytes()
                if key not in rows:
                    rows[key] = len(spelled)
                    spelled.append(characters)
                index[row, position] = rows[key]
        width = -(-max(len(c) for c in spelled) // 4) * 4 or 4
        count = -(-len(spelled) // 8) * 8  # fewer distinct shapes
        spellings = np.zeros((count, width), dtype=np.int32)
        for row, characters in enumerate(spelled):
            spellings[row, : len(characters)] = characters
        inputs = (words, spellings, index)
    if tags is None:
        return inputs
    labels = np.zeros((len(encoded), length), dtype=np.int32)
    for row, sequence in enumerate(tags):
        labels[row, : len(sequence)] = sequence
    return inputs, labels


def tagging_batches(encoded, tags, batch_size, shuffle=True, seed=0, pad_multiple=8, drop_remainder=False,
                    char_width=None):
    """A `BatchStream` of `(inputs, tag_ids)` batches (`pad_tagged`); pass `p` shuffled with `seed + p`.

    Sentences of similar length share a batch (`bucketed_order`), so little of a batch is padding.
    `char_width`: every token spelled in place at this width (XLA compiles fewer shapes); otherwise each
    distinct word of a batch is spelled once.

    Example:
    >>> stream = tagging_batches(encode_sentences(tokenizer, sentences, 20), tag_ids(sentences, tags), 32)
    >>> (words, spellings, spelling_index), labels = next(iter(stream.one_pass()))
    """
    lengths = [len(w) for w, _ in encoded]

    def order(pass_index):
        return bucketed_order(lengths, batch_size, shuffle, seed=seed + pass_index, drop_remainder=drop_remainder)

    def build(indices):
        return pad_tagged([encoded[i] for i in indices], pad_multiple, [tags[i] for i in indices], char_width)

    steps = len(encoded) // batch_size if drop_remainder else -(-len(encoded) // batch_size)
    return BatchStream(steps, order, build, signature(char_width))
