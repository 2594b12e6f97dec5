import json

import pytest

from seqtk.data.labeled_text import read_labeled, read_labeled_file, split_examples
from seqtk.data.text_sources import BUNDLED


def write(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return str(path)


class LabeledFileTest:
    def test_glue_tsv_by_column_name(self, tmp_path):
        path = write(tmp_path / "train.tsv", "sentence\tlabel\nhide new secretions \t0\na stirring , funny film \t1\n")
        examples = read_labeled_file(path, text_column="sentence", label_column="label")
        assert [(e.text.strip(), e.label, e.line) for e in examples] == [
            ("hide new secretions", "0", 2), ("a stirring , funny film", "1", 3)]

    def test_headerless_tsv_by_index_and_auto_header(self, tmp_path):
        path = write(tmp_path / "mine.tsv", "pos\tgreat fun\textra\nneg\tdull\textra\n")
        examples = read_labeled_file(path, text_column=1, label_column=0)
        assert [(e.text, e.label) for e in examples] == [("great fun", "pos"), ("dull", "neg")]
        auto = read_labeled_file(write(tmp_path / "h.tsv", "sentence\tlabel\ngood\t1\n"))
        assert [(e.text, e.label) for e in auto] == [("good", "1")]

    def test_csv_with_quoted_multiline_reviews_keeps_line_numbers(self, tmp_path):
        text = 'id,rating,label,text\na,9,1,"Great, truly ""great"".\nSecond line."\nb,2,0,Awful.\n'
        examples = read_labeled_file(write(tmp_path / "train.csv", text))
        assert examples[0].text == 'Great, truly "great".\nSecond line.' and examples[0].label == "1"
        assert (examples[1].text, examples[1].label, examples[1].line) == ("Awful.", "0", 4)

    def test_json_lines_with_named_fields(self, tmp_path):
        rows = [{"review": "loved it", "stars": "pos"}, {"review": "hated it", "stars": "neg"}]
        path = write(tmp_path / "data.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n")
        examples = read_labeled_file(path, text_column="review", label_column="stars")
        assert [(e.text, e.label) for e in examples] == [("loved it", "pos"), ("hated it", "neg")]
        with pytest.raises(ValueError, match=r"data.jsonl, line 1: no label field 'label'.*\['review', 'stars'\]"):
            read_labeled_file(path, text_column="review", label_column="label")

    def test_bundled_label_text_format(self):
        examples = read_labeled([f"bundled:{n}" for n in ("sst2_sentences_train", "sst2_sentences_dev")])
        assert len(examples) == 6920 + 872
        assert {e.label for e in examples} == {"0", "1"}
        assert examples[0].text.startswith("a stirring , funny and finally transporting")
        # Text alone (a language model reading the sentences) still drops the label word.
        texts = read_labeled(["bundled:sst2_sentences_dev"], text_column="sentence", labeled=False)
        assert [e.text for e in texts[:5]] == [e.text for e in examples[6920:6925]]
        assert all(e.label is None for e in texts)

    def test_missing_column_names_the_header_and_the_fix(self, tmp_path):
        path = write(tmp_path / "d.tsv", "sentence\tlabel\ngood\t1\n")
        with pytest.raises(ValueError, match=r"d.tsv, line 1: no text column named 'review'.*\['sentence', 'label'\]"):
            read_labeled_file(path, text_column="review")

    def test_row_with_too_few_fields_names_the_line(self, tmp_path):
        path = write(tmp_path / "d.tsv", "sentence\tlabel\ngood\t1\nno tab here\n")
        with pytest.raises(ValueError, match=r"d.tsv, line 3: 1 field\(s\).*delimiter"):
            read_labeled_file(path)

    def test_empty_text_and_empty_label_name_the_line(self, tmp_path):
        with pytest.raises(ValueError, match=r"e.tsv, line 3: the text is empty"):
            read_labeled_file(write(tmp_path / "e.tsv", "sentence\tlabel\ngood\t1\n  \t0\n"))
        with pytest.raises(ValueError, match=r"f.csv, line 2: the label is empty"):
            read_labeled_file(write(tmp_path / "f.csv", "text,label\ngood,\n"))

    def test_other_encoding_names_the_line_and_the_fix(self, tmp_path):
        path = write(tmp_path / "latin.tsv", "sentence\tlabel\ngood\t1\ncaf\u00e9 cr\u00e8me\t0\n", encoding="latin-1")
        with pytest.raises(ValueError, match=r"latin.tsv, line 3: bytes that are not UTF-8.*iconv"):
            read_labeled_file(path)

    def test_split_is_seeded_disjoint_and_complete(self):
        examples = read_labeled("bundled:sst2_sentences_dev")
        train, valid = split_examples(examples, 0.1, seed=7)
        again_train, again_valid = split_examples(examples, 0.1, seed=7)
        assert valid == again_valid and train == again_train
        assert len(valid) == 87 and len(train) + len(valid) == len(examples)
        assert not {e.line for e in train} & {e.line for e in valid}
        assert split_examples(examples, 0.1, seed=8)[1] != valid


class TfdsLabeledTest:
    @pytest.mark.parametrize("name,text_key", [("imdb_reviews", "text"), ("glue/sst2:validation", "sentence")])
    def test_tfds_names_read_text_and_integer_labels(self, name, text_key):
        import tensorflow_datasets as tfds

        with tfds.testing.mock_data(num_examples=4):
            examples = read_labeled(f"tfds:{name}")
        assert len(examples) == 4 and all(e.text for e in examples)
        assert all(e.label.lstrip("-").isdigit() for e in examples)
        assert examples[0].source == f"tfds:{name}"


def test_bundled_paths_exist():
    import os

    assert all(os.path.exists(path) for path in BUNDLED.values())
