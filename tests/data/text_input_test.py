"""What the use verbs read: arguments, then a file or standard input, blank lines skipped, located."""

import io

import pytest

from seqtk.data.text_input import read_input_texts
from seqtk.errors import DataError


class _Terminal(io.StringIO):
    def isatty(self):
        return True


class ReadInputTextsTest:
    def test_arguments_then_a_files_lines_with_their_locations(self, tmp_path):
        path = tmp_path / "texts.txt"
        path.write_text("first\n\nsecond\n", encoding="utf-8")
        read = read_input_texts(["given"], str(path), stdin=_Terminal())
        assert read.texts == ["given", "first", "second"]
        assert read.locations == ["argument 1", f"{path}, line 1", f"{path}, line 3"]

    def test_piped_lines_are_read_and_nothing_is_an_error_that_says_how(self):
        assert read_input_texts([], stdin=io.StringIO("a\nb\n")).texts == ["a", "b"]
        with pytest.raises(DataError, match="Nothing to classify: give texts as arguments, a file with --input"):
            read_input_texts([], stdin=_Terminal(), verb="classify")
