"""The web target's file checks: a phone export is refused for the reasons LiteRT.js gives, the web export of
the same model passes and runs in Python as the Keras model does."""

import os

import pytest

from seqtk.export.tflite_exporter import export_tflite
from seqtk.export.web_target import check_web_file, web_problems
from seqtk.predictors import load

LEGACY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "shakespeare_char_legacy")

pytestmark = pytest.mark.large


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    quiet = {"log": lambda *a: None}
    export_tflite(LEGACY, str(folder / "phone"), **quiet)
    report = export_tflite(LEGACY, str(folder / "web"), target="web", **quiet)
    return folder, report


class WebTargetTest:
    def test_the_phone_file_is_refused_for_what_litert_js_lacks(self, exports):
        folder, _ = exports
        problems = " ".join(web_problems((folder / "phone" / "model.tflite").read_bytes()))
        assert "UNIDIRECTIONAL_SEQUENCE_LSTM" in problems
        assert "variable tensors" in problems
        assert "input tokens of prefill has a dynamic shape [1, -1]" in problems
        with pytest.raises(ValueError, match="would not run in LiteRT.js"):
            check_web_file((folder / "phone" / "model.tflite").read_bytes())

    def test_the_web_file_has_step_alone_with_fixed_shapes_and_matches_keras(self, exports):
        folder, report = exports
        assert web_problems((folder / "web" / "model.tflite").read_bytes()) == []
        assert list(report["signatures"]) == ["step"] and report["signatures"]["step"]["max_abs_diff_vs_keras"] < 1e-4
        assert "WHILE" not in report["operators"] and not report["fused_lstm"]
        web, keras = load(str(folder / "web")), load(LEGACY)
        assert web.generate("ROMEO:", max_tokens=40, sampler="greedy") == keras.generate(
            "ROMEO:", max_tokens=40, sampler="greedy")

    def test_every_task_has_a_web_graph_and_the_page_runs_every_task(self):
        from seqtk.export.exporter import Exporter, exporter_names
        from seqtk.export.exporters import make_exporter
        from seqtk.export.web_site import PAGE_TASKS

        assert sorted(PAGE_TASKS) == exporter_names()
        for name in exporter_names():
            assert type(make_exporter(name)).web_graph is not Exporter.web_graph, name
        with pytest.raises(ValueError, match="The web target does not export"):
            Exporter().web_graph(None, None)


def test_the_web_target_refuses_int8_before_anything_runs(tmp_path):
    with pytest.raises(ValueError, match="The web target takes --quantize none, float16, dynamic; int8 is for"):
        export_tflite(LEGACY, str(tmp_path / "web"), quantize="int8", target="web",
                      examples_path=str(tmp_path / "none.txt"))
    assert not (tmp_path / "web").exists()
