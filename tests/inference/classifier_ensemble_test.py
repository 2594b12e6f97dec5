import numpy as np
import pytest

from seqtk.data.labeled_text import LabeledExample
from seqtk.models import LanguageModel, TextClassifier, save_model_directory
from seqtk.inference.classifier_ensemble import ClassifierEnsemble
from seqtk.inference.classifier_evaluation import classify_texts
from seqtk.predictors import ClassifierPredictor
from seqtk.tasks.classifier_config import ClassifierConfig, ClassifierDataConfig
from seqtk.tokenizers import CharTokenizer

TEXTS = ["a fine film", "dull and slow", "bad", "a joy from start to end"]


def member(seed, labels=("neg", "pos"), reverse=False, max_length=0):
    tokenizer = CharTokenizer.train(TEXTS)
    model = TextClassifier(tokenizer.vocabulary_size, num_classes=len(labels), embedding_dim=6, hidden_dim=8,
                           bidirectional=False, reverse=reverse, seed=seed)
    model(np.ones((1, 3), "int32"))
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in model.get_weights()])
    return model, tokenizer, ClassifierConfig(labels=list(labels),
                                              data=ClassifierDataConfig(max_length=max_length, truncation="tail"))


class ClassifierEnsembleTest:
    def test_probabilities_are_the_mean_of_each_member_with_its_own_truncation(self):
        members = [member(1), member(2, reverse=True, max_length=5)]
        ensemble = ClassifierEnsemble(members)
        expected = np.mean([classify_texts(m, t, TEXTS, c.data.max_length, "tail") for m, t, c in members],
                           axis=0)
        np.testing.assert_allclose(ensemble.probabilities(TEXTS), expected, atol=1e-6)
        assert not np.allclose(expected, classify_texts(*members[0][:2], TEXTS), atol=1e-3)
        labels = [label for label, _ in ensemble.classify(TEXTS)]
        assert labels == [["neg", "pos"][i] for i in expected.argmax(axis=-1)]

    def test_report_scores_the_average_and_each_member(self):
        members = [member(1), member(2), member(3)]
        examples = [LabeledExample(text, label, "dev.tsv", i + 2)
                    for i, (text, label) in enumerate(zip(TEXTS, ["pos", "neg", "neg", "pos"], strict=True))]
        report, probabilities = ClassifierEnsemble(members, names=["a", "b", "c"]).evaluate(examples)
        targets = np.array([1, 0, 0, 1])
        assert report["accuracy"] == pytest.approx(np.mean(probabilities.argmax(-1) == targets))
        assert [m["model"] for m in report["members"]] == ["a", "b", "c"]
        for (model, tokenizer, _), row in zip(members, report["members"], strict=True):
            alone = classify_texts(model, tokenizer, TEXTS).argmax(-1)
            assert row["accuracy"] == pytest.approx(np.mean(alone == targets))
        single, _ = ClassifierEnsemble(members[:1]).evaluate(examples)
        assert "members" not in single

    def test_members_must_share_labels(self):
        with pytest.raises(ValueError, match=r"model 2: labels \['bad', 'good'\] differ from model 1's"):
            ClassifierEnsemble([member(1), member(2, labels=("bad", "good"))])
        with pytest.raises(ValueError, match="at least one classifier"):
            ClassifierEnsemble([])

    def test_a_directory_that_is_not_a_classifier(self, tmp_path):
        tokenizer = CharTokenizer.train(TEXTS)
        model = LanguageModel(tokenizer.vocabulary_size, embedding_dim=4, hidden_dim=4, num_layers=1)
        model(np.ones((1, 2), "int32"))
        directory = save_model_directory(str(tmp_path / "lm"), model, tokenizer, config={})
        with pytest.raises(ValueError, match=r"lm: holds a LanguageModel \(lm\), not a TextClassifier"):
            ClassifierPredictor.averaging([directory])
