"""tf.data pipelines for language modeling: carried-state streams and shuffled windows."""

import numpy as np
import tensorflow as tf


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


def stream_dataset(token_ids, batch_size, sequence_length):
    """Batches for truncated BPTT with the hidden state carried across batches.

    Batch `k` holds, in row `b`, the window that continues row `b` of batch
    `k - 1`, so a model that carries its final state into the next batch sees
    each row as one unbroken text. Targets are inputs shifted by one token.
    Order matters: never shuffle this dataset.

    Example:
    >>> dataset = stream_dataset(ids, batch_size=20, sequence_length=35)
    >>> inputs, targets = next(iter(dataset))   # (20, 35) each
    """
    rows = batchify(token_ids, batch_size)
    num_windows = (rows.shape[1] - 1) // sequence_length
    if num_windows < 1:
        raise ValueError(
            f"Each of the {batch_size} streams has {rows.shape[1]} tokens, fewer than one window of "
            f"{sequence_length} + 1; lower batch_size or sequence_length, or give more text."
        )
    usable = num_windows * sequence_length
    inputs = rows[:, :usable].reshape(batch_size, num_windows, sequence_length).transpose(1, 0, 2)
    targets = rows[:, 1 : usable + 1].reshape(batch_size, num_windows, sequence_length).transpose(1, 0, 2)
    return tf.data.Dataset.from_tensor_slices((inputs, targets)).prefetch(tf.data.AUTOTUNE)


def window_dataset(token_ids, batch_size, sequence_length, shuffle=True, seed=None, stride=None):
    """Fixed-length windows of the stream, shuffled, for training without carried state.

    Windows start every `stride` tokens (default: `sequence_length`, no
    overlap); incomplete batches are dropped so shapes stay static for XLA.
    """
    token_ids = np.asarray(token_ids, dtype=np.int32)
    stride = stride or sequence_length
    starts = np.arange(0, len(token_ids) - sequence_length - 1, stride)
    if len(starts) < batch_size:
        raise ValueError(
            f"The corpus has {len(token_ids)} tokens: {len(starts)} windows of {sequence_length}, fewer than "
            f"one batch of {batch_size}; lower batch_size or sequence_length, or give more text."
        )
    ids = tf.constant(token_ids)
    dataset = tf.data.Dataset.from_tensor_slices(starts)
    if shuffle:
        dataset = dataset.shuffle(len(starts), seed=seed, reshuffle_each_iteration=True)

    def slice_window(start):
        window = ids[start : start + sequence_length + 1]
        return window[:-1], window[1:]

    dataset = dataset.map(slice_window, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


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
