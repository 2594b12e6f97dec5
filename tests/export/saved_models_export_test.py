import os

import pytest

from seqtk.export.litert_model import LiteRTModel
from seqtk.export.tflite_exporter import export_tflite

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "saved_models")


@pytest.mark.large
@pytest.mark.parametrize(
    "name,fused", [("shakespeare_char", True), ("sst2_sentences", True), ("tatoeba_sample", False)]
)
def test_each_shipped_model_exports_with_keras_parity_on_its_own_data(name, fused, tmp_path):
    # No --representative-data: the model's config names its bundled data, which verification reads.
    report = export_tflite(os.path.join(ROOT, name), str(tmp_path / name), log=lambda *a: None)
    assert report["flex_operators"] == [] and report["fused_lstm"] == fused
    assert max(row["max_abs_diff_vs_keras"] for row in report["signatures"].values()) < 1e-4
    lite = LiteRTModel.from_directory(str(tmp_path / name))
    if name == "sst2_sentences":
        assert [
            label
            for label, _ in lite.classify(
                ["a gorgeous , witty , seductive movie .", "the plot is dull and the acting is worse ."]
            )
        ] == ["1", "0"]
    elif name == "tatoeba_sample":
        assert lite.translate(["Je suis fatigué."], beam_size=5, length_penalty=0.6) == ["I'm tired."]
    else:
        assert len(lite.generate("ROMEO:", max_tokens=40, temperature=0.8, seed=0)) > 0
