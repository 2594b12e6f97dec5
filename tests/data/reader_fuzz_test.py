"""Fuzzing the file readers (hypothesis): any bytes in a TSV, CSV, JSON lines, `label text`, plain-text or
line-aligned file, CoNLL-U, CoNLL column or tagged JSON lines file give examples or a DataError (seqtk's own) that names the file; no other exception. The
same for the streamed readers (`data.streaming`, in tiny pieces) and the corpus preparer (`seqtk prepare`),
which leaves no manifest when it fails."""

import contextlib
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seqtk.data import example_stream
from seqtk.data.example_stream import labeled_files, parallel_files
from seqtk.data.labeled_text import read_labeled_file
from seqtk.data.parallel_text import read_parallel
from seqtk.data.tagged_text import read_tagged
from seqtk.data.text_sources import read_text_file
from seqtk.data.token_shards import TokenShards, write_token_shards
from seqtk.errors import DataError
from seqtk.tokenizers import CharTokenizer

ROW_PIECES = st.sampled_from(["\t", ",", "\n", "\r\n", '"', "'", "{", "}", ":", "[", "]", "label", "text", "#",
                              "-DOCSTART-", "1-2", "3.1", "_", "tokens", "tags", "B-PER", "I-PER",
                              "sentence", "1", "0", "__label__pos ", "\0", "\ufeff", "\ud800", "é", " "])
CONTENT = st.one_of(
    st.binary(max_size=400),
    st.lists(st.one_of(ROW_PIECES, st.text(max_size=6)), max_size=60).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
)


@contextlib.contextmanager
def patched_pieces():
    """Tiny pieces for the streamed readers (hypothesis runs many examples in one test, so no monkeypatch)."""
    saved = example_stream.PIECE_BYTES, example_stream.ALIGNED_LINES
    example_stream.PIECE_BYTES, example_stream.ALIGNED_LINES = 64, 3
    try:
        yield
    finally:
        example_stream.PIECE_BYTES, example_stream.ALIGNED_LINES = saved


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
        expected = content.decode("utf-8")
    except UnicodeDecodeError as decoding:
        # Not UTF-8: an error naming the file and the line of the first bad byte.
        with pytest.raises(DataError) as error:
            read_text_file(path)
        line = content.count(b"\n", 0, decoding.start) + 1
        assert f"{path}, line {line}:" in str(error.value), str(error.value)
        return
    assert read_text_file(path) == expected  # every byte kept: no newline or BOM rewriting


@given(suffix=st.sampled_from([".tsv", ".jsonl", ".txt"]), content=CONTENT,
       file_format=st.sampled_from(["auto", "tsv", "jsonl", "label_text"]))
def test_streamed_labeled_reader(tmp_path_factory, suffix, content, file_format):
    # Pieces of 64 bytes: rows cut across pieces, headers carried over, line numbers renumbered.
    path = written(tmp_path_factory, suffix, content)
    with patched_pieces():
        try:
            files = labeled_files([path], file_format=file_format)
        except DataError as error:
            assert path in str(error), str(error)
            return
        examples = [e for piece in files.pieces for e in files.read(piece)]
    assert len(examples) == files.count > 0 and all(e.text.strip() and e.label for e in examples)


@given(suffix=st.sampled_from([".tsv", ".jsonl"]), content=CONTENT, aligned=st.booleans(), target=CONTENT)
def test_streamed_parallel_reader(tmp_path_factory, suffix, content, aligned, target):
    path = written(tmp_path_factory, suffix, content)
    source = f"{path},{written(tmp_path_factory, '.en', target)}" if aligned else path
    with patched_pieces():
        try:
            files = parallel_files([source])
        except DataError as error:
            assert path in str(error) or source.split(",")[-1] in str(error), str(error)
            return
        pairs = [e for piece in files.pieces for e in files.read(piece)]
    assert len(pairs) == files.count > 0 and all(p.source.strip() and p.target.strip() for p in pairs)


@given(content=CONTENT)
def test_prepared_corpus_writer(tmp_path_factory, content):
    path = written(tmp_path_factory, ".txt", content)
    out = str(tmp_path_factory.mktemp("prepared"))
    tokenizer = CharTokenizer.train(["abc\n"])
    try:
        manifest = write_token_shards(tokenizer, {"train": [path]}, out, workers=0, shard_tokens=50,
                                      log=lambda *a: None, progress=False)
    except DataError as error:
        assert path in str(error), str(error)
        assert not os.path.exists(os.path.join(out, "manifest.json"))  # no half corpus passes for a whole one
        return
    tokens = TokenShards(out)
    assert len(tokens) == manifest["splits"]["train"]["tokens"]
    assert all(0 < i < tokenizer.vocabulary_size for i in tokens.read(0, len(tokens)))


@given(suffix=st.sampled_from([".conllu", ".conll", ".jsonl"]), content=CONTENT,
       tag_column=st.sampled_from(["auto", "xpos", "1", "-1"]))
def test_tagged_reader(tmp_path_factory, suffix, content, tag_column):
    path = written(tmp_path_factory, suffix, content)
    try:
        sentences = read_tagged([path], tag_column=tag_column)
    except DataError as error:
        assert path in str(error), str(error)
        return
    assert sentences and all(len(s.tokens) == len(s.tags) > 0 for s in sentences)
