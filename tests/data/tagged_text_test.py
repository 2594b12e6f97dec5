import json

import pytest

from seqtk.data.tagged_text import read_conll_columns, read_conllu, read_tagged, read_tagged_jsonl
from seqtk.errors import DataError

CONLLU = """# sent_id = 1
# text = I don't know.
1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t3:nsubj\t_
2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_
2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t4:aux\t_
3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t4:advmod\t_
3.1\tknow\tknow\tVERB\tVB\t_\t_\t_\t0:root\t_
4\tknow\tknow\tVERB\tVB\t_\t0\troot\t0:root\tSpaceAfter=No
5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t4:punct\t_

# sent_id = 2
1\tYes\tyes\tINTJ\tUH\t_\t0\troot\t0:root\t_
"""

CONLL2003 = """-DOCSTART- -X- O O

EU NNP I-NP I-ORG
rejects VBZ I-VP O
German JJ I-NP I-MISC

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER
"""


def test_conllu_words_not_surface_tokens_and_no_empty_nodes(tmp_path):
    path = tmp_path / "a.conllu"
    path.write_text(CONLLU, encoding="utf-8")
    first, second = read_conllu(str(path))
    assert first.tokens == ("I", "do", "n't", "know", ".") and first.tags == ("PRON", "AUX", "PART", "VERB", "PUNCT")
    assert first.line == 1 and second.line == 11 and second.tags == ("INTJ",)
    assert read_conllu(str(path), "xpos")[0].tags == ("PRP", "VBP", "RB", "VB", ".")
    assert read_tagged([str(path)], tag_column="deprel")[0].tags == ("nsubj", "aux", "advmod", "root", "punct")


def test_conllu_errors_name_file_and_line(tmp_path):
    path = tmp_path / "bad.conllu"
    path.write_text(CONLLU.replace("3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t4:advmod\t_", "3\tn't\tnot\tPART"),
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"bad.conllu, line 6: 4 tab-separated column\(s\)"):
        read_conllu(str(path))
    path.write_text(CONLLU.replace("PRON\tPRP", "PRON\t_"), encoding="utf-8")
    with pytest.raises(DataError, match=r"line 3: no XPOS"):
        read_conllu(str(path), "xpos")
    with pytest.raises(DataError, match="is no CoNLL-U column"):
        read_conllu(str(path), "ner")
    with pytest.raises(DataError, match="the ID or FORM column"):
        read_conllu(str(path), "form")


def test_conll_columns_skip_docstart_and_split_on_blank_lines(tmp_path):
    path = tmp_path / "eng.train"
    path.write_text(CONLL2003, encoding="utf-8")
    first, second = read_tagged([str(path)])
    assert first.tokens == ("EU", "rejects", "German") and first.tags == ("I-ORG", "O", "I-MISC")
    assert second.tags == ("I-PER", "I-PER") and second.line == 7
    assert read_conll_columns(str(path), tag_column=1)[0].tags == ("NNP", "VBZ", "JJ")
    path.write_text(CONLL2003.replace("rejects VBZ I-VP O", "rejects"), encoding="utf-8")
    with pytest.raises(DataError, match=r"eng.train, line 4: 1 column\(s\)"):
        read_tagged([str(path)])
    with pytest.raises(DataError, match="has no header"):
        read_tagged([str(path)], tag_column="ner")


def test_json_lines_need_one_tag_per_token(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({"tokens": ["Angela", "Merkel"], "tags": ["B-PER", "I-PER"]}) + "\n\n"
                    + json.dumps({"tokens": ["Paris"], "tags": ["B-LOC", "O"]}) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"t.jsonl, line 3: 1 token\(s\) but 2 tag\(s\)"):
        read_tagged_jsonl(str(path))
    path.write_text('{"tokens": "Paris"}\n', encoding="utf-8")
    with pytest.raises(DataError, match="line 1: expected an object with lists 'tokens' and 'tags'"):
        read_tagged([str(path)])


def test_tfds_conll2003_reads_tokens_and_tag_names():
    import tensorflow as tf
    import tensorflow_datasets as tfds

    def examples(builder, *args, **kwargs):  # CoNLL-2003's features, two sentences of three tokens
        return tf.data.Dataset.from_tensor_slices({
            "tokens": [["EU", "rejects", "German"], ["Peter", "Blackburn", "."]],
            "ner": [[3, 0, 7], [1, 2, 0]], "pos": [[22, 42, 16], [22, 22, 7]], "chunks": [[11, 21, 11], [11, 12, 0]]})

    with tfds.testing.mock_data(as_dataset_fn=examples):
        first, second = read_tagged(["tfds:conll2003:validation"])
        assert first.source == "tfds:conll2003:validation" and first.tokens == ("EU", "rejects", "German")
        assert first.tags == ("B-ORG", "O", "B-MISC") and second.tags == ("B-PER", "I-PER", "O")
        with pytest.raises(DataError, match="has no `tokens` and class-label sequence 'lemma'"):
            read_tagged(["tfds:conll2003"], tag_column="lemma")
