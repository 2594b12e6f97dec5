import pytest

from seqtk.export.export_examples import read_classifier_examples, read_text_lines, read_translator_examples
from seqtk.tasks.classifier_config import ClassifierDataConfig
from seqtk.tasks.translator_config import TranslatorDataConfig

SWAPPED = TranslatorDataConfig(source_column=1, target_column=0)


class ReadExportExamplesTest:
    def test_plain_lines_for_any_task(self, tmp_path):
        path = tmp_path / "lines.txt"
        path.write_text("one text\n\nanother text\n", encoding="utf-8")
        assert read_text_lines(str(path)).texts == ["one text", "another text"]
        assert read_classifier_examples(str(path), ClassifierDataConfig()).texts == ["one text", "another text"]
        assert read_translator_examples(str(path), TranslatorDataConfig()).texts == ["one text", "another text"]

    def test_the_task_formats(self, tmp_path):
        labelled = tmp_path / "dev.tsv"
        labelled.write_text("sentence\tlabel\ngood film .\t1\nbad film .\t0\n", encoding="utf-8")
        assert read_classifier_examples(str(labelled), ClassifierDataConfig()).texts == ["good film .", "bad film ."]
        pairs = tmp_path / "fra.tsv"
        pairs.write_text("Go.\tVa !\nHi.\tSalut !\n", encoding="utf-8")
        examples = read_translator_examples(str(pairs), SWAPPED)
        assert examples.texts == ["Va !", "Salut !"] and examples.targets == ["Go.", "Hi."]
        tatoeba = tmp_path / "fra.txt"  # Tatoeba's own file: a .txt of tab-separated pairs, with attribution
        tatoeba.write_text("Go.\tVa !\tCC-BY 2.0\nHi.\tSalut !\tCC-BY 2.0\n", encoding="utf-8")
        examples = read_translator_examples(str(tatoeba), SWAPPED)
        assert examples.texts == ["Va !", "Salut !"] and examples.targets == ["Go.", "Hi."]
        (tmp_path / "a.de").write_text("Hallo\nTschüss\n", encoding="utf-8")
        (tmp_path / "a.en").write_text("Hello\nBye\n", encoding="utf-8")
        examples = read_translator_examples(f"{tmp_path}/a.de,{tmp_path}/a.en", TranslatorDataConfig())
        assert examples.texts == ["Hallo", "Tschüss"] and examples.targets == ["Hello", "Bye"]

    def test_nothing_usable_names_the_file(self, tmp_path):
        path = tmp_path / "blank.txt"
        path.write_text("\n \n", encoding="utf-8")
        with pytest.raises(ValueError, match="blank.txt: no usable example"):
            read_text_lines(str(path))
        with pytest.raises(FileNotFoundError, match="missing.txt"):
            read_classifier_examples(str(tmp_path / "missing.txt"), ClassifierDataConfig())
