"""tf.data pipelines for language modeling: carried-state streams and shuffled windows."""

import numpy as np
import tensorflow as tf

from seqtk.data.batch_stream import BatchStream


def batchify(token_ids, batch_size):
    """Cuts a token stream into `batch_size` contiguous rows (Zaremba et al. 2014).

    Row `b` holds tokens `[b * L, (b + 1) * L)` with `L = len // batch_size`;
    the last `len % batch_size` tokens are dropped.
    """
    token_ids = np.asarray(token_ids, dtype=np.int32)
    length = len(token_ids) // batch_size
    if length < 2:
        raise ValueError(
            f"The corpus has {len(token_ids)} tokens, too few for {batch_size} parallel streams; "
            "give more text or a smaller batch_size."
        )
    return token_ids[: length * batch_size].reshape(batch_size, length)


def stream_batches(token_ids, batch_size, sequence_length):
    """Batches for truncated BPTT with the hidden state carried across batches, as a `BatchStream`.

    Batch `k` holds, in row `b`, the window that continues row `b` of batch
    `k - 1`, so a model that carries its final state into the next batch sees
    each row as one unbroken text. Targets are inputs shifted by one token.
    Every pass has the same order: never shuffle these batches.

    Example:
    >>> stream = stream_batches(ids, batch_size=20, sequence_length=35)
    >>> inputs, targets = next(iter(stream.one_pass()))   # (20, 35) each
    """
    rows = batchify(token_ids, batch_size)
    num_windows = (rows.shape[1] - 1) // sequence_length
    if num_windows < 1:
        raise ValueError(
            f"Each of the {batch_size} streams has {rows.shape[1]} tokens, fewer than one window of "
            f"{sequence_length} + 1; lower batch_size or sequence_length, or give more text."
        )
    usable = num_windows * sequence_length
    window = lambda a: np.ascontiguousarray(  # noqa: E731
        a.reshape(batch_size, num_windows, sequence_length).transpose(1, 0, 2))
    inputs, targets = window(rows[:, :usable]), window(rows[:, 1 : usable + 1])
    order = np.arange(num_windows)
    spec = tf.TensorSpec((batch_size, sequence_length), tf.int32)
    return BatchStream(num_windows, lambda pass_index: order, lambda k: (inputs[k], targets[k]), (spec, spec))


def window_batches(token_ids, batch_size, sequence_length, shuffle=True, seed=0, stride=None):
    """Fixed-length windows of the stream, reshuffled every pass, for training without carried state.

    Windows start every `stride` tokens (default: `sequence_length`, no
    overlap); pass `p` shuffles them with `seed + p`; incomplete batches are
    dropped so shapes stay static for XLA.
    """
    token_ids = np.asarray(token_ids, dtype=np.int32)
    stride = stride or sequence_length
    starts = np.arange(0, len(token_ids) - sequence_length - 1, stride)
    if len(starts) < batch_size:
        raise ValueError(
            f"The corpus has {len(token_ids)} tokens: {len(starts)} windows of {sequence_length}, fewer than "
            f"one batch of {batch_size}; lower batch_size or sequence_length, or give more text."
        )
    count = len(starts) // batch_size
    offsets = np.arange(sequence_length + 1)

    def order(pass_index):
        chosen = np.random.default_rng(seed + pass_index).permutation(starts) if shuffle else starts
        return chosen[: count * batch_size].reshape(count, batch_size)

    def build(batch_starts):
        windows = token_ids[batch_starts[:, None] + offsets]
        return windows[:, :-1], windows[:, 1:]

    spec = tf.TensorSpec((batch_size, sequence_length), tf.int32)
    return BatchStream(count, order, build, (spec, spec))


def encode_texts(tokenizer, named_texts, reverse=False):
    """Encodes each (source, text) pair into one stream (symbols outside the vocabulary become `<unk>`;
    `seqtk.tokenizers.unknown_symbols` reports them).

    `reverse` gives the stream right to left, as a backward language model reads it: every text
    reversed, in reverse order.
    """
    ids = []
    for _, text in named_texts:
        ids.extend(tokenizer.encode(text if text.endswith("\n") else text + "\n"))
    return ids[::-1] if reverse else ids
