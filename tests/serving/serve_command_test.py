"""`seqtk serve`'s command line: model names, limits, and a tampered folder refused before anything starts."""

import os
import shutil

import pytest

from seqtk.cli import main
from seqtk.serving import ServeLimits, model_specs

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
