import numpy as np
import pytest
from export_models import classifier, converted, runner

from seqtk.export.classifier_export import ClassifierExport
from seqtk.export.state_signatures import operator_names


class ClassifierExportTest:
    @pytest.mark.parametrize(
        "cell_type,bidirectional,pooling",
        [
            ("lstm", True, "concat"),
            ("lstm", False, "last"),
            ("gru", True, "max"),
            ("simple_rnn", False, "mean"),
        ],
    )
    def test_probabilities_match_keras_at_any_length(self, cell_type, bidirectional, pooling):
        model = classifier(cell_type, bidirectional, pooling)
        lite = runner(converted(ClassifierExport(model)))
        assert lite.interpreter.get_signature_list()["classify"]["inputs"] == ["token_ids"]
        rng = np.random.default_rng(2)
        for length in (1, 8, 23):
            ids = rng.integers(1, 40, (1, length)).astype("int32")
            np.testing.assert_allclose(
                lite("classify", token_ids=ids)["probabilities"], model.predict_probabilities(ids), atol=1e-5
            )

    def test_each_call_starts_from_zero_states(self):
        model = classifier("lstm")
        lite = runner(converted(ClassifierExport(model)))
        ids = np.array([[3, 7, 11, 2]], "int32")
        first = lite("classify", token_ids=ids)["probabilities"]
        lite("classify", token_ids=np.array([[9, 9, 9, 9, 9, 9]], "int32"))
        np.testing.assert_array_equal(lite("classify", token_ids=ids)["probabilities"], first)

    def test_unrolled_gru_reads_zero_padded_texts_like_keras(self):
        model = classifier("gru", bidirectional=True, pooling="concat")
        export = ClassifierExport(model, fixed_length=12)
        model_bytes = converted(export)
        assert "WHILE" not in operator_names(model_bytes)
        ids = np.array([[4, 8, 15, 16, 23]], "int32")
        probabilities = runner(model_bytes)("classify", token_ids=np.pad(ids, ((0, 0), (0, 7))))[
            "probabilities"
        ]
        np.testing.assert_allclose(probabilities, model.predict_probabilities(ids), atol=1e-5)

    @pytest.mark.parametrize("cell_type,fixed_length", [("lstm", None), ("gru", 12)])
    def test_a_reverse_classifier_reads_right_to_left_like_keras(self, cell_type, fixed_length):
        model = classifier(cell_type, bidirectional=False, pooling="concat", reverse=True)
        lite = runner(converted(ClassifierExport(model, fixed_length=fixed_length)))
        ids = np.array([[4, 8, 15, 16, 23, 42 % 40]], "int32")
        feed = np.pad(ids, ((0, 0), (0, fixed_length - ids.shape[1]))) if fixed_length else ids
        probabilities = lite("classify", token_ids=feed)["probabilities"]
        np.testing.assert_allclose(probabilities, model.predict_probabilities(ids), atol=1e-5)
        forward = classifier(cell_type, bidirectional=False, pooling="concat")
        assert not np.allclose(probabilities, forward.predict_probabilities(ids), atol=1e-3)
