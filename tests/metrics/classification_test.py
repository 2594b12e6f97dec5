import numpy as np
import pytest

from seqtk.metrics.classification import classification_report, confusion_matrix, format_report


class ClassificationReportTest:
    def test_against_hand_computed_numbers(self):
        labels = [0, 0, 0, 1, 1, 2]
        predictions = [0, 0, 1, 1, 2, 2]
        report = classification_report(labels, predictions, ["neg", "pos", "neutral"])
        np.testing.assert_array_equal(
            report["confusion_matrix"]["rows_true_columns_predicted"], [[2, 1, 0], [0, 1, 1], [0, 0, 1]])
        assert report["accuracy"] == pytest.approx(4 / 6)
        neg, pos, neutral = (report["per_class"][k] for k in ("neg", "pos", "neutral"))
        assert (neg["precision"], neg["recall"]) == (1.0, pytest.approx(2 / 3))
        assert (pos["precision"], pos["recall"]) == (0.5, 0.5)
        assert (neutral["precision"], neutral["recall"], neutral["support"]) == (0.5, 1.0, 1)
        f1 = [2 * (2 / 3) / (1 + 2 / 3), 0.5, 2 * 0.5 / 1.5]
        assert report["macro_f1"] == pytest.approx(np.mean(f1))
        text = format_report(report)
        assert "accuracy 0.6667" in text and "neutral" in text

    def test_a_class_never_predicted_scores_zero_not_nan(self):
        report = classification_report([0, 1], [0, 0], ["a", "b"])
        assert report["per_class"]["b"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}

    def test_shape_mismatch_is_an_error(self):
        with pytest.raises(ValueError, match="differ in shape"):
            confusion_matrix([0, 1], [0], 2)
