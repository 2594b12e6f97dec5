"""Transfer from a forward and a backward language model: checks, word vectors side by side, and each
direction computing what its language model computed before training."""

import numpy as np
import pytest

from seqtk.models import LanguageModel, TextClassifier
from seqtk.models.language_model_transfer import check_backward, side_by_side_embeddings


def _pair(**kwargs):
    forward = LanguageModel(vocabulary_size=20, embedding_dim=6, hidden_dim=8, num_layers=1, seed=1, **kwargs)
    backward = LanguageModel(vocabulary_size=20, embedding_dim=6, hidden_dim=8, num_layers=1, seed=2, reverse=True)
    ids = np.array([[3, 4, 5, 0]], np.int32)
    forward(ids), backward(ids)
    return forward, backward


class LanguageModelTransferTest:
    def test_the_pair_is_checked(self):
        forward, backward = _pair()
        check_backward(forward, backward)
        with pytest.raises(ValueError, match="a forward language model and a backward one"):
            check_backward(backward, forward)
        other = LanguageModel(vocabulary_size=21, embedding_dim=6, hidden_dim=8, num_layers=1, reverse=True)
        other(np.array([[1]], np.int32))
        with pytest.raises(ValueError, match="vocabulary and sizes"):
            check_backward(forward, other)

    def test_word_vectors_sit_side_by_side(self):
        forward, backward = _pair()
        vectors = side_by_side_embeddings(forward, backward)
        np.testing.assert_array_equal(vectors[:, :6], np.asarray(forward.embedding.embeddings))
        np.testing.assert_array_equal(vectors[:, 6:], np.asarray(backward.embedding.embeddings))
        assert side_by_side_embeddings(forward).shape == (20, 6)

    def test_each_direction_starts_as_its_language_model(self):
        forward, backward = _pair()
        classifier = TextClassifier.from_language_model(forward, 2, backward=backward, pooling="last", seed=0)
        ids = np.array([[3, 4, 5, 6]], np.int32)
        expected, _ = forward.recurrent(forward.embedding(ids), training=False)
        vectors = classifier.embedding(ids)
        outputs, _ = classifier.recurrent(vectors, training=False)
        np.testing.assert_allclose(np.asarray(outputs)[..., :8], np.asarray(expected), rtol=1e-5, atol=1e-5)
