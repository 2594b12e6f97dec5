"""`seqtk run` on any folder: each task prints in its own format, texts come from arguments or a file, unknown
symbols are reported with where they came from, and nothing to do is an error."""

import os

import pytest
from shipped_models import shipped_model

from seqtk.errors import DataError
from seqtk.predictors import load
from seqtk.predictors.run_folder import run_folder

LEGACY = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures", "shakespeare_char_legacy")

pytestmark = pytest.mark.large


class RunFolderTest:
    def test_each_task_answers_in_its_own_format(self):
        texts = ["A gorgeous, witty, moving film.", "Dull, lifeless and far too long."]
        lines = run_folder(shipped_model("sst2_ulmfit_bidirectional"), texts)
        expected = load(shipped_model("sst2_ulmfit_bidirectional")).classify(texts)
        assert lines == [f"{e['label']}\t{max(e['probabilities'].values()):.4f}\t{t}" for e, t in zip(expected, texts)]
        assert [line.split("\t")[0] for line in lines] == ["1", "0"]
        assert run_folder(shipped_model("ud_ewt_upos"), ["I saw her ."]) == ["I/PRON saw/VERB her/PRON ./PUNCT"]
        assert run_folder(shipped_model("tatoeba_fr_en"), ["Je suis fatigué."], beam_size=3) == [
            load(shipped_model("tatoeba_fr_en")).translate("Je suis fatigué.", beam_size=3)]

    def test_prompts_are_continued_with_consecutive_seeds(self):
        first = run_folder(LEGACY, ["ROMEO:", "ROMEO:"], max_length=30, sampler="top_k", seed=4)
        assert first[0] != first[1] and all(line.startswith("ROMEO:") for line in first)
        assert run_folder(LEGACY, ["ROMEO:"], max_length=30, sampler="top_k", seed=4) == first[:1]
        empty, = run_folder(LEGACY, [], max_length=10, sampler="greedy")  # no prompt: one empty prompt
        assert len(empty) > 0

    def test_unknown_symbols_are_reported_with_their_place(self, capsys, tmp_path):
        run_folder(LEGACY, ["ROMEO° said"], max_length=5, seed=0)
        assert "Prompts: 1 of 11 characters" in capsys.readouterr().err  # the degree sign is not in the vocabulary
        path = tmp_path / "texts.txt"
        path.write_text("I saw her .\n\nThe café° is open .\n", encoding="utf-8")
        assert len(run_folder(shipped_model("ud_ewt_upos"), [], input_path=str(path))) == 2
        assert "Input: 1 of 9 words (11.11%) are not in the vocabulary" in capsys.readouterr().err

    def test_nothing_to_do_is_an_error(self, tmp_path):
        (tmp_path / "empty.txt").write_text("\n", encoding="utf-8")
        with pytest.raises(DataError, match="Nothing to translate"):
            run_folder(shipped_model("tatoeba_fr_en"), [], input_path=str(tmp_path / "empty.txt"))
