"""run-tflite asks the exported folder's exporter what to do with the texts: no branch on a task's name."""

import importlib

import pytest

from seqtk.errors import DataError
from seqtk.export.litert_model import LiteRTModel
from seqtk.tokenizers import CharTokenizer

module = importlib.import_module("seqtk.export.run_litert")  # the package's `run_litert` is the function


class _Exported:
    """An exported folder's runtime, as far as run_litert sees it."""

    task = LiteRTModel.task  # from metadata.json, as an exported folder's runtime reads it

    def __init__(self, task):
        self.input_tokenizer = CharTokenizer.train(["abc witty film"])
        self.metadata = {"task": task, "length_penalty": 0.6}

    def classify(self, texts):
        return [("1", 0.9)] * len(texts)

    def tag(self, sentences):
        return [tuple("X" for _ in words) for words in sentences]

    def translate(self, texts, beam_size, length_penalty):
        return [f"{text}|{beam_size}|{length_penalty}" for text in texts]

    def generate(self, prompt, max_tokens, temperature, top_k, top_p, seed=None):
        return f"+{max_tokens},{temperature},{top_k},{top_p},{seed}"


@pytest.fixture
def exported(monkeypatch):
    def load(task):
        monkeypatch.setattr(module.LiteRTModel, "from_directory", classmethod(lambda cls, d, num_threads=None:
                                                                                _Exported(task)))
        return "exports/x"
    return load


class RunLiteRTTest:
    def test_each_task_answers_in_its_own_way(self, exported):
        assert module.run_litert(exported("classifier"), ["a witty film"]) == ["1\t0.9000\ta witty film"]
        assert module.run_litert(exported("tagger"), ["a film"]) == ["a/X film/X"]
        assert module.run_litert(exported("translator"), ["abc"], beam_size=3) == ["abc|3|0.6"]
        assert module.run_litert(exported("lm"), ["ab"], sampler="top_p", max_length=5, seed=7) == [
            "ab+5,1.0,0,0.9,7"]
        assert module.run_litert(exported("language_model"), [], sampler="greedy", max_length=2) == [
            "+2,0.0,0,1.0,None"]  # an export of an earlier version, and one empty prompt

    def test_texts_come_from_a_file_and_nothing_to_do_is_an_error(self, exported, tmp_path):
        path = tmp_path / "texts.txt"
        path.write_text("a film\n\nabc\n", encoding="utf-8")
        assert len(module.run_litert(exported("classifier"), [], input_path=str(path))) == 2
        (tmp_path / "empty.txt").write_text("\n", encoding="utf-8")
        with pytest.raises(DataError, match="Nothing to translate"):
            module.run_litert(exported("translator"), [], input_path=str(tmp_path / "empty.txt"))
