import numpy as np
import pytest
import tensorflow as tf

from seqtk.data.batch_stream import BatchStream


def numbered(batches_per_pass=4):
    """Batch keys `(pass, index)` shuffled per pass by a seed of the pass, built into a (1, 2) array."""
    def order(pass_index):
        return [(pass_index, i) for i in np.random.default_rng(pass_index).permutation(batches_per_pass)]

    return BatchStream(batches_per_pass, order, lambda key: np.array([key], np.int32),
                       tf.TensorSpec((1, 2), tf.int32))


def keys(dataset, count):
    return [tuple(int(v) for v in batch[0]) for batch in dataset.take(count).as_numpy_iterator()]


class BatchStreamTest:
    def test_the_stream_is_the_passes_one_after_the_other(self):
        stream = numbered()
        expected = keys(stream.one_pass(0), 4) + keys(stream.one_pass(1), 4) + keys(stream.one_pass(2), 4)
        assert keys(stream.dataset(), 12) == expected
        assert sorted(expected[:4]) == [(0, i) for i in range(4)]  # every batch of a pass, once
        assert expected[:4] != [(0, i) for i in range(4)] or expected[4:8] != [(1, i) for i in range(4)]

    @pytest.mark.parametrize("position", [0, 3, 4, 9])
    def test_seek_starts_at_that_batch_of_the_run(self, position):
        stream = numbered()
        whole = keys(stream.dataset(), 16)
        stream.seek(position)
        assert keys(stream.dataset(), 16 - position) == whole[position:]

    def test_every_new_iterator_starts_at_the_position(self):
        # Keras may open an iterator to build the model and drop it; the next must start at the same batch.
        stream = numbered()
        stream.seek(5)
        dataset = stream.dataset()
        assert keys(dataset, 2) == keys(dataset, 2)

    def test_one_pass_has_a_known_cardinality(self):
        stream = numbered(3)
        assert int(stream.one_pass().cardinality()) == 3 and len(stream) == 3
        with pytest.raises(ValueError, match="at least one batch"):
            BatchStream(0, lambda p: [], lambda k: k, tf.TensorSpec((), tf.int32))
