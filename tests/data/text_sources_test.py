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
