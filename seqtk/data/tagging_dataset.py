"""Batches of tagged sentences: word ids, each word's character ids, and tag ids, length-bucketed."""

import numpy as np
import tensorflow as tf

from seqtk.data.batch_stream import BatchStream
from seqtk.data.classification_dataset import bucketed_order

SIGNATURE = ((tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None, None, None), tf.int32)),
             tf.TensorSpec((None, None), tf.int32))


def encode_sentences(tokenizer, sentences, max_word_length):
    """`[(word_ids, char_ids)]` of each sentence's tokens (`tokenizer` a `WordCharTokenizer`)."""
    return [tokenizer.encode_tokens(s.tokens, max_word_length) for s in sentences]


def tag_ids(sentences, tags, unknown=0):
    """Each sentence's tags as an int32 array of indices into `tags` (a tag not among them: `unknown`)."""
    index = {tag: i for i, tag in enumerate(tags)}
    return [np.array([index.get(t, unknown) for t in s.tags], dtype=np.int32) for s in sentences]


def pad_tagged(encoded, pad_multiple=1, tags=None, char_width=None):
    """`((word_ids, char_ids), tag_ids)` of a batch (tags only when given), right-padded with 0; the
    sentence length is rounded up to `pad_multiple` (fewer shapes for XLA), the word length to 4, or to
    `char_width` when given (one shape per sentence length, for XLA)."""
    length = -(-max(len(w) for w, _ in encoded) // pad_multiple) * pad_multiple
    width = char_width or -(-max(c.shape[1] for _, c in encoded) // 4) * 4
    words = np.zeros((len(encoded), length), dtype=np.int32)
    chars = np.zeros((len(encoded), length, width), dtype=np.int32)
    for row, (word_ids, char_ids) in enumerate(encoded):
        words[row, : len(word_ids)] = word_ids
        chars[row, : char_ids.shape[0], : char_ids.shape[1]] = char_ids
    if tags is None:
        return words, chars
    labels = np.zeros((len(encoded), length), dtype=np.int32)
    for row, sequence in enumerate(tags):
        labels[row, : len(sequence)] = sequence
    return (words, chars), labels


def tagging_batches(encoded, tags, batch_size, shuffle=True, seed=0, pad_multiple=8, drop_remainder=False,
                    char_width=None):
    """A `BatchStream` of `((word_ids, char_ids), tag_ids)` batches; pass `p` shuffled with `seed + p`.

    Sentences of similar length share a batch (`bucketed_order`), so little of a batch is padding.
    `char_width`: every word padded to this many characters (XLA compiles fewer shapes; otherwise each
    batch is as wide as its longest word, rounded up to 4).

    Example:
    >>> stream = tagging_batches(encode_sentences(tokenizer, sentences, 20), tag_ids(sentences, tags), 32)
    >>> (words, chars), labels = next(iter(stream.one_pass()))
    """
    lengths = [len(w) for w, _ in encoded]

    def order(pass_index):
        return bucketed_order(lengths, batch_size, shuffle, seed=seed + pass_index, drop_remainder=drop_remainder)

    def build(indices):
        return pad_tagged([encoded[i] for i in indices], pad_multiple, [tags[i] for i in indices], char_width)

    steps = len(encoded) // batch_size if drop_remainder else -(-len(encoded) // batch_size)
    return BatchStream(steps, order, build, SIGNATURE)
