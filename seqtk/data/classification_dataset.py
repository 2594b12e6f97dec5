"""Labelled texts to padded, length-bucketed batches for many-to-one models."""

import numpy as np
import tensorflow as tf

from seqtk.data.batch_stream import BatchStream
from seqtk.data.sentence_encoding import encode_sentences, truncate
from seqtk.errors import DataError

TRUNCATIONS = ("head", "tail", "head_tail")


def label_names(labels):
    """The sorted distinct labels; integer-like labels sort by value (`"2"` before `"10"`)."""
    distinct = {str(label) for label in labels}
    if all(label.lstrip("-").isdigit() for label in distinct):
        return sorted(distinct, key=int)
    return sorted(distinct)


def label_ids(examples, names):
    """Each example's index in `names`; unseen labels raise one error with their counts."""
    index = {name: i for i, name in enumerate(names)}
    unseen = {}
    for example in examples:
        if str(example.label) not in index:
            count, first = unseen.get(str(example.label), (0, example.location))
            unseen[str(example.label)] = (count + 1, first)
    if unseen:
        described = ", ".join(f"{label!r} ×{count} (first at {first})" for label, (count, first) in unseen.items())
        total = sum(count for count, _ in unseen.values())
        raise DataError(
            f"{total} example(s) carry labels the model was never trained on: {described}. "
            f"The model knows {names}. Map those labels to known ones or remove the rows."
        )
    return np.array([index[str(e.label)] for e in examples], dtype=np.int32)


def encode_examples(tokenizer, examples, max_length=0, truncation="head"):
    """Token ids of every example, cut to `max_length` (0: no limit); errors name file and line."""
    if truncation not in TRUNCATIONS:
        raise DataError(f"data.truncation must be one of {TRUNCATIONS}; received {truncation!r}.")
    sequences = encode_sentences(tokenizer, [e.text for e in examples], [e.location for e in examples])
    if max_length:
        sequences = [s if len(s) <= max_length else truncate(s, max_length, truncation) for s in sequences]
    return sequences


def pad_batch(sequences, pad_multiple=1):
    """Right-pads with 0 to the longest sequence, rounded up to a multiple of `pad_multiple`.

    Rounding bounds the number of distinct batch shapes, each of which XLA compiles once.
    """
    length = max(len(s) for s in sequences)
    length = -(-length // pad_multiple) * pad_multiple
    batch = np.zeros((len(sequences), length), dtype=np.int32)
    for row, sequence in enumerate(sequences):
        batch[row, : len(sequence)] = sequence
    return batch


def bucketed_order(lengths, batch_size, shuffle, seed=None, pool_batches=50, drop_remainder=False):
    """Batches of indices that group texts of similar length, so batches carry little padding.

    With `shuffle`, indices are shuffled, cut into pools of `pool_batches`
    batches, sorted by length inside each pool and batched, and the batches
    shuffled (the "sortish" sampler of fastai); else all are sorted by length.
    With `drop_remainder`, the last `len % batch_size` texts of the order (a
    different few each shuffled epoch) are left out, so every batch is full.
    """
    lengths = np.asarray(lengths)
    if shuffle:
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(lengths))
        pool = batch_size * pool_batches
        order = np.concatenate([
            chunk[np.argsort(lengths[chunk], kind="stable")]
            for chunk in (order[i : i + pool] for i in range(0, len(order), pool))
        ])
    else:
        order = np.argsort(lengths, kind="stable")
    end = len(order) - len(order) % batch_size if drop_remainder else len(order)
    batches = [order[i : i + batch_size] for i in range(0, end, batch_size)]
    if shuffle:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def classification_batches(sequences, labels, batch_size, shuffle=True, seed=0, pad_multiple=8,
                           drop_remainder=False):
    """A `BatchStream` of `(token_ids, labels)` batches, length-bucketed, pass `p` shuffled with `seed + p`.

    `drop_remainder`: full batches only (a TPU compiles each batch size), the remainder left out.
    """
    lengths = [len(s) for s in sequences]
    labels = np.asarray(labels, dtype=np.int32)

    def order(pass_index):
        return bucketed_order(lengths, batch_size, shuffle, seed=seed + pass_index, drop_remainder=drop_remainder)

    def build(indices):
        return pad_batch([sequences[i] for i in indices], pad_multiple), labels[indices]

    signature = (tf.TensorSpec((None, None), tf.int32), tf.TensorSpec((None,), tf.int32))
    steps = len(sequences) // batch_size if drop_remainder else -(-len(sequences) // batch_size)
    return BatchStream(steps, order, build, signature)
