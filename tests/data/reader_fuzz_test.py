"""Fuzzing the file readers (hypothesis): any bytes in a TSV, CSV, JSON lines, `label text`, plain-text or
line-aligned file give examples or a DataError (seqtk's own) that names the file; no other exception."""

import os

from hypothesis import given
from hypothesis import strategies as st

from seqtk.data.labeled_text import read_labeled_file
from seqtk.data.parallel_text import read_parallel
from seqtk.data.text_sources import read_text_file
from seqtk.errors import DataError

ROW_PIECES = st.sampled_from(["\t", ",", "\n", "\r\n", '"', "'", "{", "}", ":", "[", "]", "label", "text",
                              "sentence", "1", "0", "__label__pos ", "\0", "\ufeff", "\ud800", "é", " "])
CONTENT = st.one_of(
    st.binary(max_size=400),
    st.lists(st.one_of(ROW_PIECES, st.text(max_size=6)), max_size=60).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
)


def written(tmp_path_factory, suffix, content):
    path = tmp_path_factory.mktemp("fuzz") / f"data{suffix}"
    path.write_bytes(content)
    return str(path)


@given(suffix=st.sampled_from([".tsv", ".csv", ".jsonl", ".txt"]), content=CONTENT,
       file_format=st.sampled_from(["auto", "tsv", "csv", "jsonl", "label_text"]))
def test_labeled_reader(tmp_path_factory, suffix, content, file_format):
    path = written(tmp_path_factory, suffix, content)
    try:
        examples = read_labeled_file(path, file_format=file_format)
    except DataError as error:
        assert path in str(error), str(error)
        return
    assert examples and all(e.text and e.label for e in examples)


@given(suffix=st.sampled_from([".tsv", ".jsonl"]), content=CONTENT)
def test_parallel_reader(tmp_path_factory, suffix, content):
    path = written(tmp_path_factory, suffix, content)
    try:
        pairs = read_parallel([path])
    except DataError as error:
        assert path in str(error), str(error)
        return
    assert all(p.source and p.target for p in pairs)


@given(source=CONTENT, target=CONTENT)
def test_line_aligned_reader(tmp_path_factory, source, target):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "a.fr").write_bytes(source)
    (folder / "a.en").write_bytes(target)
    pair = f"{folder}/a.fr,{folder}/a.en"
    try:
        pairs = read_parallel([pair])
    except DataError as error:
        assert str(folder) in str(error), str(error)
        return
    assert all(p.source and p.target for p in pairs)


@given(content=CONTENT)
def test_plain_text_reader(tmp_path_factory, content):
    path = written(tmp_path_factory, ".txt", content)
    try:
        text = read_text_file(path)
    except DataError as error:
        assert path in str(error), str(error)
        return
    assert isinstance(text, str) and os.path.getsize(path) >= 0
