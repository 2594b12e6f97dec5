"""tensorflow-datasets sources, on mock data."""

import pytest

from seqtk.data import read_texts


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
