"""Training batches as an endless stream of passes that can start at any batch: what makes resuming exact."""

import tensorflow as tf

from seqtk.errors import DataError


class BatchStream:
    """The batches of a training set, pass after pass, each pass's order a function of its index alone.

    A pass is one sweep over the data (an epoch when `steps_per_epoch` is not
    set). Because pass `p`'s order depends only on `p` (shuffles are seeded
    with `seed + p`), the stream can start at any batch: `seek(n)` makes the
    next `dataset()` iterator begin with batch `n` of the whole run, which is
    how a run resumed from a mid-epoch checkpoint reads exactly the batches the
    interrupted run would have read. Nothing before batch `n` is built.

    Args:
        batches_per_pass: how many batches one pass holds.
        order: `order(pass_index)` -> the pass's batch keys, in order.
        build: `build(key)` -> the batch (a nest of numpy arrays) for a key.
        signature: the batches' `tf.TensorSpec` nest.

    Example:
    >>> stream = BatchStream(3, order=lambda p: [0, 1, 2], build=lambda k: np.full((2, 4), k, np.int32),
    ...                      signature=tf.TensorSpec((None, None), tf.int32))
    >>> stream.seek(4)                        # pass 1, its second batch
    >>> [int(b[0, 0]) for b in stream.dataset().take(3)]
    [1, 2, 0]
    """

    def __init__(self, batches_per_pass, order, build, signature):
        if batches_per_pass < 1:
            raise DataError("A batch stream needs at least one batch per pass.")
        self.batches_per_pass = int(batches_per_pass)
        self.order = order
        self.build = build
        self.signature = signature
        self.position = 0

    def seek(self, position):
        """Iterators made from now on start at batch `position` (counted from the start of the run)."""
        self.position = int(position)

    def _generate(self):
        # Read when an iterator starts, not when the dataset is made: Keras may open (and drop) an iterator
        # before training, and each must start at the same batch.
        pass_index, offset = divmod(self.position, self.batches_per_pass)
        while True:
            for key in self.order(pass_index)[offset:]:
                yield self.build(key)
            pass_index, offset = pass_index + 1, 0

    def _pass(self, pass_index):
        for key in self.order(pass_index):
            yield self.build(key)

    def dataset(self):
        """The endless stream from `position`, for `fit` with `steps_per_epoch`."""
        return tf.data.Dataset.from_generator(self._generate, output_signature=self.signature).prefetch(2)

    def one_pass(self, pass_index=0):
        """Pass `pass_index` alone, of known cardinality (validation, evaluation, inspection)."""
        dataset = tf.data.Dataset.from_generator(lambda: self._pass(pass_index), output_signature=self.signature)
        return dataset.apply(tf.data.experimental.assert_cardinality(self.batches_per_pass)).prefetch(2)

    def __len__(self):
        return self.batches_per_pass
