"""Language-model batches: carried streams and shuffled windows."""

import numpy as np
import pytest

from seqtk.data import batchify, stream_batches, window_batches


class LanguageModelDatasetTest:
    def test_stream_batches_continue_each_row(self):
        ids = np.arange(1, 203)
        batches = list(stream_batches(ids, batch_size=4, sequence_length=5).one_pass().as_numpy_iterator())
        rows = batchify(ids, 4)
        assert rows.shape == (4, 50)
        first_inputs, first_targets = batches[0]
        second_inputs, _ = batches[1]
        np.testing.assert_array_equal(first_inputs[:, -1] + 1, second_inputs[:, 0])
        np.testing.assert_array_equal(first_targets, first_inputs + 1)
        np.testing.assert_array_equal(first_inputs[:, 0], [1, 51, 101, 151])
        assert len(batches) == (50 - 1) // 5

    def test_windows_are_shuffled_fixed_length(self):
        ids = np.arange(1, 1001)
        stream = window_batches(ids, batch_size=8, sequence_length=10, seed=0)
        inputs, targets = next(iter(stream.one_pass().as_numpy_iterator()))
        assert inputs.shape == (8, 10)
        np.testing.assert_array_equal(targets, inputs + 1)
        np.testing.assert_array_equal(np.diff(inputs, axis=1), 1)
        assert not np.all(np.diff(inputs[:, 0]) == 10)

    def test_too_short_corpus_is_a_clear_error(self):
        with pytest.raises(ValueError, match="lower batch_size or sequence_length"):
            stream_batches(np.arange(30), batch_size=4, sequence_length=10)
