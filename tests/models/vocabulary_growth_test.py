import numpy as np
import pytest

from seqtk.models import LanguageModel, TextClassifier
from seqtk.models.vocabulary_growth import grow_vocabulary

IDS = np.random.RandomState(0).randint(1, 20, (2, 9))


@pytest.mark.parametrize("tie_weights", [False, True])
def test_a_grown_language_model_keeps_the_base_logits_and_starts_new_rows_at_the_mean(tie_weights):
    base = LanguageModel(20, embedding_dim=8, hidden_dim=8, num_layers=2, tie_weights=tie_weights, seed=3)
    base(IDS)
    base.embedding.embeddings.assign(np.random.RandomState(1).normal(size=(20, 8)).astype("float32"))
    grown = grow_vocabulary(base, 24)
    assert grown.vocabulary_size == 24 and base.vocabulary_size == 20
    np.testing.assert_array_equal(grown(IDS).numpy()[..., :20], base(IDS).numpy())
    rows = grown.embedding.embeddings.numpy()
    np.testing.assert_array_equal(rows[:20], base.embedding.embeddings.numpy())
    mean = base.embedding.embeddings.numpy()[1:].mean(axis=0)  # padding (row 0) is never trained
    np.testing.assert_allclose(rows[20:], np.repeat(mean[None], 4, axis=0), rtol=1e-6)
    bias = grown.embedding.output_bias.numpy()
    np.testing.assert_allclose(bias[20:], base.embedding.output_bias.numpy()[1:].mean(), atol=1e-7)
    if not tie_weights:
        kernel = grown.embedding.output_kernel.numpy()
        np.testing.assert_allclose(kernel[:, 20:], np.repeat(
            base.embedding.output_kernel.numpy()[:, 1:].mean(axis=1, keepdims=True), 4, axis=1), rtol=1e-6)
    # A new id reads the mean row: its vector is the base's mean embedding.
    np.testing.assert_allclose(grown.embedding(np.array([[22]])).numpy()[0, 0], mean, rtol=1e-6)


def test_a_grown_classifier_classifies_base_texts_as_before():
    base = TextClassifier(20, 3, embedding_dim=8, hidden_dim=8)
    base(IDS)
    grown = grow_vocabulary(base, 30)
    np.testing.assert_allclose(grown(IDS).numpy(), base(IDS).numpy(), atol=1e-7)
    assert grown.embedding.embeddings.shape == (30, 8)


def test_a_vocabulary_only_grows():
    base = LanguageModel(20, embedding_dim=4, hidden_dim=4, num_layers=1)
    base(IDS)
    assert grow_vocabulary(base, 20) is base
    with pytest.raises(ValueError, match="can only grow: the model has 20 tokens, 10 were asked"):
        grow_vocabulary(base, 10)
