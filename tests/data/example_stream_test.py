import json

import numpy as np
import pytest
import tensorflow as tf

from seqtk.data import example_stream
from seqtk.data.example_stream import StreamedBatches, check_streaming, labeled_files, parallel_files
from seqtk.data.labeled_text import read_labeled_file
from seqtk.data.parallel_text import read_parallel
from seqtk.errors import ConfigError, DataError


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(example_stream, "PIECE_BYTES", 300)
    monkeypatch.setattr(example_stream, "ALIGNED_LINES", 7)


def every_example(files):
    return [e for piece in files.pieces for e in files.read(piece)]


def rows(count):
    return [(f"text number {i} " + "word " * (i % 9), "pos" if i % 3 else "neg") for i in range(count)]


@pytest.mark.parametrize("layout", ["tsv_header", "tsv_plain", "jsonl", "label_text"])
def test_pieces_hold_the_examples_the_whole_file_reader_gives(tmp_path, small_pieces, layout):
    data = rows(120)
    if layout == "tsv_header":
        path, content = tmp_path / "d.tsv", "sentence\tlabel\n" + "".join(f"{t}\t{y}\n" for t, y in data)
    elif layout == "tsv_plain":
        path, content = tmp_path / "d.tsv", "".join(f"{t}\t{y}\n" for t, y in data)
    elif layout == "jsonl":
        path, content = tmp_path / "d.jsonl", "".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in data)
    else:
        path, content = tmp_path / "d.txt", "".join(f"{y} {t}\n" for t, y in data)
    path.write_text("\ufeff" + content, encoding="utf-8")
    columns = {"text_column": 0, "label_column": 1} if layout == "tsv_plain" else {}
    files = labeled_files([str(path)], **columns)
    assert len(files.pieces) > 5 and files.count == 120 and files.labels == ["neg", "pos"]
    assert every_example(files) == read_labeled_file(str(path), **columns)


def test_a_bad_row_in_a_late_piece_names_its_line(tmp_path, small_pieces):
    lines = [f"{t}\t{y}" for t, y in rows(80)]
    lines[66] = "a text without its label\t "
    (tmp_path / "d.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"d.tsv, line 67: the label is empty"):
        labeled_files([str(tmp_path / "d.tsv")], text_column=0, label_column=1)
    records = [json.dumps({"text": t, "label": y}) for t, y in rows(80)]
    records[49] = '{"text": "cut short'
    (tmp_path / "d.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"d.jsonl, line 50: not a JSON object"):
        labeled_files([str(tmp_path / "d.jsonl")])
    (tmp_path / "d.csv").write_text("text,label\nok,pos\n", encoding="utf-8")
    with pytest.raises(DataError, match="d.csv: data.streaming reads TSV, JSON lines and label-text files"):
        labeled_files([str(tmp_path / "d.csv")])


@pytest.mark.parametrize("layout", ["tsv", "jsonl", "aligned"])
def test_sentence_pairs_in_pieces(tmp_path, small_pieces, layout):
    pairs = [(f"source {i} " + "x " * (i % 5), f"target {i}") for i in range(60)]
    if layout == "tsv":
        (tmp_path / "p.tsv").write_text("".join(f"{s}\t{t}\n" for s, t in pairs), encoding="utf-8")
        sources = [str(tmp_path / "p.tsv")]
    elif layout == "jsonl":
        (tmp_path / "p.jsonl").write_text("".join(json.dumps({"fr": s, "en": t}) + "\n" for s, t in pairs),
                                          encoding="utf-8")
        sources = [str(tmp_path / "p.jsonl")]
    else:
        (tmp_path / "a.fr").write_text("".join(s + "\n" for s, _ in pairs), encoding="utf-8")
        (tmp_path / "a.en").write_text("".join(t + "\n" for _, t in pairs), encoding="utf-8")
        sources = [f"{tmp_path}/a.fr,{tmp_path}/a.en"]
    columns = {"source_column": "fr", "target_column": "en"} if layout == "jsonl" else {}
    files = parallel_files(sources, **columns)
    assert files.count == 60 and len(files.pieces) > 3
    assert every_example(files) == read_parallel(sources, **columns)
    if layout == "aligned":
        (tmp_path / "a.en").write_text("".join(t + "\n" for _, t in pairs[:-2]), encoding="utf-8")
        with pytest.raises(DataError, match=r"a.fr, line 59 has no partner"):
            parallel_files(sources)


def test_streamed_batches_cover_each_pass_once_and_start_anywhere(tmp_path, small_pieces):
    data = rows(200)
    (tmp_path / "d.tsv").write_text("".join(f"{t}\t{y}\n" for t, y in data), encoding="utf-8")
    files = labeled_files([str(tmp_path / "d.tsv")], text_column=0, label_column=1)
    stream = StreamedBatches(
        files, 16, encode=lambda examples: [(int(e.text.split()[2]), e) for e in examples],
        length=lambda item: len(item[1].text), make_batch=lambda items: np.array([i[0] for i in items], np.int32),
        signature=tf.TensorSpec((None,), tf.int32), seed=4)
    assert len(stream) == sum(-(-p.count // 16) for p in files.pieces)
    passes = [np.concatenate(list(stream.one_pass(p).as_numpy_iterator())) for p in (0, 1)]
    assert sorted(passes[0].tolist()) == list(range(200)) == sorted(passes[1].tolist())
    assert passes[0].tolist() != passes[1].tolist()
    whole = [b.tolist() for b in stream.dataset().take(len(stream) + 5).as_numpy_iterator()]
    stream.seek(len(stream) - 3)
    assert [b.tolist() for b in stream.dataset().take(8).as_numpy_iterator()] == whole[-8:]


def test_streaming_needs_a_validation_set():
    class Data:
        validation = []

    with pytest.raises(ConfigError, match="give data.validation"):
        check_streaming(Data())
