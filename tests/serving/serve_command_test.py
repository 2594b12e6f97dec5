"""`seqtk serve`'s command line: model names, limits, and a tampered folder refused before anything starts."""

import os
import shutil

import pytest
from shipped_models import shipped_model

from seqtk.cli import main
from seqtk.serving import ServeLimits, model_specs
from seqtk.serving.model_server import use_precision

LEGACY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "shakespeare_char_legacy")


class ServeCommandTest:
    def test_model_names_come_from_the_flag_or_the_folder(self):
        assert model_specs(["saved_models/ud_ewt_upos/", "fr=exports/fr_en"]) == {
            "ud_ewt_upos": "saved_models/ud_ewt_upos/", "fr": "exports/fr_en"}
        with pytest.raises(ValueError, match="given twice"):
            model_specs(["a=x", "a=y"])
        with pytest.raises(ValueError, match="1-64 letters"):
            model_specs(["bad name=x"])
        with pytest.raises(ValueError, match="at least one model"):
            model_specs([])

    def test_limits_must_be_positive(self):
        assert ServeLimits(max_wait_ms=0).max_wait_ms == 0
        with pytest.raises(ValueError, match="max_batch must be a positive number"):
            ServeLimits(max_batch=0)
        with pytest.raises(ValueError, match="request_timeout_s"):
            ServeLimits(request_timeout_s=-1)

    def test_a_tampered_folder_stops_the_server_before_it_starts(self, tmp_path, capsys):
        folder = tmp_path / "lm"
        shutil.copytree(LEGACY, folder)
        (folder / "config.yaml").write_text('x: !!python/object/apply:os.system ["touch pwned"]\n', encoding="utf-8")
        assert main(["serve", "--model", str(folder), "--port", "1"]) == 2
        error = capsys.readouterr().err
        assert "config.yaml: not a seqtk config" in error and "nothing in it was run" in error
        assert not os.path.exists("pwned") and not (tmp_path / "pwned").exists()
        assert main(["serve", "--model", "two words=x"]) == 2
        assert "1-64 letters" in capsys.readouterr().err

    def test_precision_applies_to_saved_language_models_and_names_the_rest(self):
        from seqtk.predictors import load

        predictors = {"lm": load(LEGACY), "upos": load(shipped_model("ud_ewt_upos"))}
        assert use_precision(predictors, "float32") == {}
        assert predictors["lm"].precision == "float32"
        assert use_precision(predictors, "bfloat16") == {"upos": "float32"}
        assert predictors["lm"].precision == "bfloat16"
        assert predictors["lm"].step_runner.language_model_step.precision == "bfloat16"
        with pytest.raises(ValueError, match="precision must be one of"):
            use_precision(predictors, "float16")

    def test_an_unknown_precision_is_refused_before_anything_loads(self, capsys):
        with pytest.raises(SystemExit) as stopped:
            main(["serve", "--model", "missing_folder", "--precision", "float16"])
        assert stopped.value.code == 2
        assert "invalid choice: 'float16'" in capsys.readouterr().err
