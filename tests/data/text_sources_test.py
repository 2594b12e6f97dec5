"""Text sources: paths, globs, bundled corpora, errors that name file and line."""

import pytest

from seqtk.data import read_corpus, read_texts


class TextSourcesTest:
    def test_reads_paths_and_globs_in_order(self, tmp_path):
        (tmp_path / "a.txt").write_text("one\n")
        (tmp_path / "b.txt").write_text("two")
        assert read_corpus([str(tmp_path / "*.txt")]) == "one\ntwo\n"

    def test_bundled_corpus(self):
        (name, text), = read_texts("bundled:tinyshakespeare")
        assert len(text) == 1_115_394 and text.startswith("First Citizen:")

    def test_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError, match="missing.txt: no such file"):
            read_texts([str(tmp_path / "missing.txt")])

    def test_empty_corpus(self, tmp_path):
        (tmp_path / "empty.txt").write_text("\n \n")
        with pytest.raises(ValueError, match="empty.txt hold no text"):
            read_texts([str(tmp_path / "empty.txt")])

    def test_non_utf8_names_file_and_line(self, tmp_path):
        path = tmp_path / "latin1.txt"
        path.write_bytes("line one\ncaf\xe9 au lait\n".encode("latin-1"))
        with pytest.raises(ValueError, match=r"latin1.txt, line 2: bytes that are not UTF-8.*iconv"):
            read_texts([str(path)])


class LocalCopiesTest:
    def test_a_tfds_split_reads_its_local_copy_under_seqtk_data_dir(self, tmp_path, monkeypatch):
        from seqtk.data.labeled_text import read_labeled
        from seqtk.data.tagged_text import read_tagged
        from seqtk.data.text_sources import resolve_sources

        (tmp_path / "sst2").mkdir()
        (tmp_path / "sst2" / "dev.tsv").write_text("sentence\tlabel\na witty film\t1\n", encoding="utf-8")
        (tmp_path / "conll2003").mkdir()
        (tmp_path / "conll2003" / "eng.testa").write_text("Paris NNP I-NP I-LOC\n", encoding="utf-8")
        monkeypatch.setenv("SEQTK_DATA_DIR", str(tmp_path))
        assert resolve_sources(["tfds:glue/sst2:validation"]) == [("file", str(tmp_path / "sst2" / "dev.tsv"))]
        assert resolve_sources(["tfds:glue/sst2:test"]) == [("tfds", "glue/sst2:test")]  # no local copy named
        assert [(e.text, e.label) for e in read_labeled(["tfds:glue/sst2:validation"])] == [("a witty film", "1")]
        assert read_tagged(["tfds:conll2003:dev"])[0].tags == ("I-LOC",)
        monkeypatch.setenv("SEQTK_DATA_DIR", str(tmp_path / "elsewhere"))  # no copy there: the dataset itself
        assert resolve_sources(["tfds:glue/sst2:validation"]) == [("tfds", "glue/sst2:validation")]

    def test_a_missing_data_dir_file_says_which_variable_to_set(self, tmp_path, monkeypatch):
        from seqtk.data.text_sources import resolve_sources

        monkeypatch.setenv("SEQTK_DATA_DIR", str(tmp_path))
        with pytest.raises(FileNotFoundError, match=r"ptb/ptb.train.txt: no such file.*under \{data_dir\}, which "
                                                    r"is \$SEQTK_DATA_DIR"):
            resolve_sources(["{data_dir}/ptb/ptb.train.txt"])

    def test_named_configs_name_tfds_bundled_or_data_dir_sources_only(self):
        from seqtk.tasks import get_task, task_names
        from seqtk.training.config import available_configs

        for task in task_names():
            for name in available_configs(task):
                data = get_task(task).load_config(name).data
                for source in data.train + data.validation:
                    assert str(source).startswith(("tfds:", "bundled:", "{data_dir}/")), (task, name, source)
