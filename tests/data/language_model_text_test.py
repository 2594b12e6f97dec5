"""The text a language model reads: plain files, a column of labelled files, the held-out tail."""

import pytest

from seqtk.data.language_model_text import read_language_model_data, split_validation
from seqtk.tasks.language_model_config import LanguageModelDataConfig


class LanguageModelTextTest:
    def test_the_last_fraction_of_the_joined_text_validates(self):
        train, valid = split_validation([("a.txt", "abcdefgh"), ("b.txt", "ij")], 0.25)
        assert train[0][1] + valid[0][1] == "abcdefgh\nij\n"
        assert len(valid[0][1]) == 12 - int(12 * 0.75) and valid[0][0] == "a.txt + b.txt (last 25%)"
        with pytest.raises(ValueError, match=r"validation_fraction must be in \(0, 1\)"):
            split_validation([("a.txt", "abc")], 0.0)

    def test_a_column_of_a_labelled_file_is_read_one_example_per_line(self, tmp_path):
        path = tmp_path / "reviews.tsv"
        path.write_text("text\tlabel\nfirst review\t1\nsecond review\t0\n", encoding="utf-8")
        data = LanguageModelDataConfig(train=[str(path)], validation=[str(path)], text_column="text")
        train, valid = read_language_model_data(data)
        assert train == valid == [(str(path), "first review\nsecond review\n")]
