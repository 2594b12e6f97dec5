"""A classifier's probabilities for many texts (batched by length, returned in order) and its report."""

import numpy as np
import pytest

from seqtk.data.labeled_text import LabeledExample
from seqtk.inference.classifier_evaluation import classify_texts, evaluate_classifier, predict_probabilities
from seqtk.models import TextClassifier
from seqtk.tokenizers import WordTokenizer

TEXTS = ["a witty film", "dull", "a long and dull film about nothing", "witty and warm"]


@pytest.fixture(scope="module")
def classifier():
    tokenizer = WordTokenizer.train(TEXTS)
    return TextClassifier(tokenizer.vocabulary_size, 2, embedding_dim=8, hidden_dim=8, seed=1), tokenizer


class ClassifierEvaluationTest:
    def test_batched_probabilities_equal_one_text_at_a_time(self, classifier):
        model, tokenizer = classifier
        sequences = [np.array(tokenizer.encode(t), np.int32) for t in TEXTS]
        batched = predict_probabilities(model, sequences, batch_size=3)
        for sequence, row in zip(sequences, batched, strict=True):
            logits = np.asarray(model.predict_on_batch(sequence[None]))[0]
            expected = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
            np.testing.assert_allclose(row, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(batched.sum(axis=1), 1.0, rtol=1e-6)

    def test_the_report_scores_the_argmax_and_an_empty_text_is_named(self, classifier):
        model, tokenizer = classifier
        examples = [LabeledExample(t, str(i % 2), "dev.tsv", i + 2) for i, t in enumerate(TEXTS)]
        report, probabilities = evaluate_classifier(model, tokenizer, examples, ["0", "1"])
        predicted = probabilities.argmax(axis=1)
        assert report["accuracy"] == pytest.approx(np.mean(predicted == np.arange(4) % 2))
        with pytest.raises(ValueError, match="input, line 2: the text is empty"):
            classify_texts(model, tokenizer, ["fine", "  "])
