import numpy as np
import pytest

from seqtk.data import batchify, read_corpus, read_texts, stream_batches, window_batches


class TextSourcesTest:
    def test_reads_paths_and_globs_in_order(self, tmp_path):
        (tmp_path / "a.txt").write_text("one\n")
        (tmp_path / "b.txt").write_text("two")
        assert read_corpus([str(tmp_path / "*.txt")]) == "one\ntwo\n"

    def test_bundled_corpus(self):
        (name, text), = read_texts("bundled:tinyshakespeare")
        assert len(text) == 1_115_394 and text.startswith("First Citizen:")

    def test_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="missing.txt: no such file"):
            read_texts([str(tmp_path / "missing.txt")])

    def test_empty_corpus(self, tmp_path):
        (tmp_path / "empty.txt").write_text("\n \n")
        with pytest.raises(ValueError, match="empty.txt hold no text"):
            read_texts([str(tmp_path / "empty.txt")])

    def test_non_utf8_names_file_and_line(self, tmp_path):
        path = tmp_path / "latin1.txt"
        path.write_bytes("line one\ncaf\xe9 au lait\n".encode("latin-1"))
        with pytest.raises(ValueError, match=r"latin1.txt, line 2: bytes that are not UTF-8.*iconv"):
            read_texts([str(path)])


class TfdsSourceTest:
    def test_tfds_name_reads_text_feature_with_mock_data(self):
        import tensorflow_datasets as tfds

        with tfds.testing.mock_data(num_examples=3):
            (name, text), = read_texts("tfds:tiny_shakespeare:validation")
        assert name == "tfds:tiny_shakespeare:validation"
        assert text.count("\n") == 3 and len(text) > 3

    def test_unknown_feature_lists_the_features(self):
        import tensorflow_datasets as tfds

        with tfds.testing.mock_data(num_examples=2), pytest.raises(ValueError, match="has no feature 'body'"):
            read_texts("tfds:tiny_shakespeare", tfds_text_key="body")


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
