"""tf.data pipelines for language modeling: carried-state streams and shuffled windows."""

import numpy as np
import tensorflow as tf

from seqtk.data.batch_stream import BatchStream
from seqtk.errors import DataError


def batchify(token_ids, batch_size):
    """Cuts a token stream into `batch_size` contiguous rows (Zaremba et al. 2014).

    Row `b` holds tokens `[b * L, (b + 1) * L)` with `L = len // batch_size`;
    the last `len % batch_size` tokens are dropped.
    """
    token_ids = np.asarray(token_ids, dtype=np.int32)
    length = len(token_ids) // batch_size
    if length < 2:
        raise DataError(
            f"The corpus has {len(token_ids)} tokens, too few for {batch_size} parallel streams; "
            "give more text or a smaller batch_size."
        )
    return token_ids[: length * batch_size].reshape(batch_size, length)


def _on_disk(tokens):
    """Whether `tokens` is read by position (`TokenShards`) rather than held in memory."""
    return hasattr(tokens, "read")


def stream_batches(token_ids, batch_size, sequence_length):
    """Batches for truncated BPTT with the hidden state carried across batches, as a `BatchStream`.

    Batch `k` holds, in row `b`, the window that continues row `b` of batch
    `k - 1`, so a model that carries its final state into the next batch sees
    each row as one unbroken text. Targets are inputs shifted by one token.
    Every pass has the same order: never shuffle these batches. `token_ids`
    is an array, or a prepared corpus on disk (`TokenShards`) read a batch at a
    time, which gives the same batches.

    Example:
    >>> stream = stream_batches(ids, batch_size=20, sequence_length=35)
    >>> inputs, targets = next(iter(stream.one_pass()))   # (20, 35) each
    """
    on_disk = _on_disk(token_ids)
    tokens = token_ids if on_disk else np.asarray(token_ids, dtype=np.int32)
    length = len(tokens) // batch_size
    if length < 2:
        raise DataError(
            f"The corpus has {len(tokens)} tokens, too few for {batch_size} parallel streams; "
            "give more text or a smaller batch_size."
        )
    num_windows = (length - 1) // sequence_length
    if num_windows < 1:
        raise DataError(
            f"Each of the {batch_size} streams has {length} tokens, fewer than one window of "
            f"{sequence_length} + 1; lower batch_size or sequence_length, or give more text."
        )
    order = np.arange(num_windows)
    spec = tf.TensorSpec((batch_size, sequence_length), tf.int32)
    if on_disk:
        def build(k):
            start = k * sequence_length
            rows = np.stack([tokens.read(b * length + start, b * length + start + sequence_length + 1)
                             for b in range(batch_size)])
            return rows[:, :-1], rows[:, 1:]

        return BatchStream(num_windows, lambda pass_index: order, build, (spec, spec))
    rows = tokens[: length * batch_size].reshape(batch_size, length)
    usable = num_windows * sequence_length
    window = lambda a: np.ascontiguousarray(  # noqa: E731
        a.reshape(batch_size, num_windows, sequence_length).transpose(1, 0, 2))
    inputs, targets = window(rows[:, :usable]), window(rows[:, 1 : usable + 1])
    return BatchStream(num_windows, lambda pass_index: order, lambda k: (inputs[k], targets[k]), (spec, spec))


class _BlockShuffle:
    """Batches of window indices `0..count-1` for one pass: blocks of `block` windows in a shuffled order,
    each shuffled inside. Only a block's permutation is in memory at once; slicing from batch `n` starts
    there without making the ones before."""

    def __init__(self, count, batch_size, block, seed):
        self.count, self.batch_size, self.block, self.seed = count, batch_size, block, seed
        self.blocks = np.random.default_rng(seed).permutation(-(-count // block))

    def __len__(self):
        return self.count // self.batch_size

    def _size(self, index):
        """Windows in the `index`-th block of the pass (only the corpus's last block may be short)."""
        return min(self.block, self.count - int(self.blocks[index]) * self.block)

    def _block(self, index):
        first = int(self.blocks[index]) * self.block
        return first + np.random.default_rng([self.seed, int(self.blocks[index])]).permutation(self._size(index))

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step not in (None, 1) or key.stop is not None:
            raise TypeError("a pass's batches are taken from a batch on: batches[n:]")
        return self._from((key.start or 0) * self.batch_size)

    def _from(self, window):
        # Every block but the last shuffled one is full, so the block holding window `window` is found at once.
        position, index = window, 0
        while index < len(self.blocks) and position >= self._size(index):
            position -= self._size(index)
            index += 1
        carry = np.zeros(0, np.int64)
        end = len(self) * self.batch_size - window  # windows left to batch (the remainder is dropped)
        while index < len(self.blocks) and end > 0:
            part = np.concatenate([carry, self._block(index)[position:]])
            position, index = 0, index + 1
            whole = min(len(part) // self.batch_size * self.batch_size, end)
            for first in range(0, whole, self.batch_size):
                yield part[first : first + self.batch_size]
            end -= whole
            carry = part[whole:]


def window_batches(token_ids, batch_size, sequence_length, shuffle=True, seed=0, stride=None, block=1 << 20):
    """Fixed-length windows of the stream, reshuffled every pass, for training without carried state.

    Windows start every `stride` tokens (default: `sequence_length`, no
    overlap); pass `p` shuffles them with `seed + p`; incomplete batches are
    dropped so shapes stay static for XLA. Up to `block` windows the shuffle is
    a full permutation; a larger corpus (a prepared one on disk) is shuffled in
    blocks of `block` windows, the blocks' order shuffled too, so memory stays
    flat.
    """
    on_disk = _on_disk(token_ids)
    tokens = token_ids if on_disk else np.asarray(token_ids, dtype=np.int32)
    stride = stride or sequence_length
    count = max(0, -(-(len(tokens) - sequence_length - 1) // stride))  # windows that fit, with their target
    if count < batch_size:
        raise DataError(
            f"The corpus has {len(tokens)} tokens: {count} windows of {sequence_length}, fewer than "
            f"one batch of {batch_size}; lower batch_size or sequence_length, or give more text."
        )
    offsets = np.arange(sequence_length + 1)

    def order(pass_index):
        if not shuffle:
            return np.arange(count // batch_size * batch_size).reshape(-1, batch_size)
        if count <= block:
            chosen = np.random.default_rng(seed + pass_index).permutation(count)
            return chosen[: count // batch_size * batch_size].reshape(-1, batch_size)
        return _BlockShuffle(count, batch_size, block, seed + pass_index)

    def build(windows):
        starts = windows * stride
        if on_disk:
            rows = np.stack([tokens.read(s, s + sequence_length + 1) for s in starts])
        else:
            rows = tokens[starts[:, None] + offsets]
        return rows[:, :-1], rows[:, 1:]

    spec = tf.TensorSpec((batch_size, sequence_length), tf.int32)
    return BatchStream(count // batch_size, order, build, (spec, spec))


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
