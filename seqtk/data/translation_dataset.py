"""Sentence pairs to padded, length-bucketed teacher-forcing batches for encoder-decoder models."""

import numpy as np
import tensorflow as tf

from seqtk.data.batch_stream import BatchStream
from seqtk.data.classification_dataset import bucketed_order, pad_batch
from seqtk.data.sentence_encoding import encode_sentences
from seqtk.errors import DataError


def encode_pairs(source_tokenizer, target_tokenizer, examples, max_source_length=0, max_target_length=0):
    """Encodes `ParallelExample`s; pairs longer than a limit (0: none) are dropped, as is usual in training.

    Returns:
        `(sources, targets, dropped)`: two lists of id arrays and the number of pairs left out.
    """
    locations = [e.location for e in examples]
    sources = encode_sentences(source_tokenizer, [e.source for e in examples], locations, "source sentence")
    targets = encode_sentences(target_tokenizer, [e.target for e in examples], locations, "target sentence")
    kept = [
        i for i in range(len(examples))
        if (not max_source_length or len(sources[i]) <= max_source_length)
        and (not max_target_length or len(targets[i]) + 1 <= max_target_length)
    ]
    return [sources[i] for i in kept], [targets[i] for i in kept], len(examples) - len(kept)


def teacher_forcing_batch(targets, start_id, end_id, pad_multiple=1):
    """`(decoder_inputs, decoder_targets)`: `[start] + target` and `target + [end]`, padded with 0."""
    inputs = pad_batch([np.concatenate([[start_id], t]) for t in targets], pad_multiple)
    outputs = pad_batch([np.concatenate([t, [end_id]]) for t in targets], pad_multiple)
    return inputs, outputs


def translation_batches(sources, targets, batch_size, start_id, end_id, shuffle=True, seed=0, pad_multiple=8,
                        drop_remainder=False):
    """A `BatchStream` of `((source_ids, decoder_inputs), decoder_targets)`, length-bucketed.

    Batches group pairs of similar length, pass `p` shuffled with `seed + p`; 0 pads every
    side, and the decoder reads `[start] + target` to predict `target + [end]` (teacher forcing).
    """
    if len(sources) != len(targets):
        raise DataError(f"sources and targets differ in number: {len(sources)} and {len(targets)}.")
    if not sources:
        raise DataError("No sentence pairs to batch: every pair was empty or longer than the length limits.")
    lengths = [len(s) + len(t) for s, t in zip(sources, targets)]

    def order(pass_index):
        return bucketed_order(lengths, batch_size, shuffle, seed=seed + pass_index, drop_remainder=drop_remainder)

    def build(indices):
        decoder_inputs, decoder_targets = teacher_forcing_batch(
            [targets[i] for i in indices], start_id, end_id, pad_multiple)
        return (pad_batch([sources[i] for i in indices], pad_multiple), decoder_inputs), decoder_targets

    matrix = tf.TensorSpec((None, None), tf.int32)
    steps = len(sources) // batch_size if drop_remainder else -(-len(sources) // batch_size)
    return BatchStream(steps, order, build, ((matrix, matrix), matrix))
