"""seqtk.load: the folder's task object, a string in one result out, a list in a list out, refusals named."""

import os
import shutil

import pytest

import seqtk
from seqtk.errors import ModelFolderError
from seqtk.predictors import LanguageModelPredictor, load

LEGACY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "shakespeare_char_legacy")


class LoadTest:
    def test_a_saved_folder_gives_its_tasks_predictor_on_keras(self):
        lm = seqtk.load(LEGACY)
        assert isinstance(lm, LanguageModelPredictor) and (lm.task, lm.backend) == ("lm", "keras")
        assert repr(lm) == f"<LanguageModelPredictor {LEGACY!r} (lm, keras)>"

    def test_one_string_gives_one_result_and_a_list_a_list(self):
        lm = load(LEGACY)
        one = lm.generate("ROMEO:", max_tokens=12, sampler="greedy")
        assert isinstance(one, str) and one.startswith("ROMEO:")
        assert lm.generate(["ROMEO:", "JULIET:"], max_tokens=12, sampler="greedy")[0] == one
        with pytest.raises(TypeError, match="Give prompts as a string or a list of strings"):
            lm.generate([1, 2])

    def test_a_folder_that_is_no_model_or_was_tampered_with_is_refused(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="not a seqtk model folder"):
            load(tmp_path)
        folder = shutil.copytree(LEGACY, tmp_path / "model")
        (folder / "config.yaml").write_text("!!python/object/apply:os.system ['true']\n", encoding="utf-8")
        with pytest.raises(ModelFolderError, match="config.yaml: not a seqtk config"):
            load(folder)
