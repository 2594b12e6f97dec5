import json
import os

import numpy as np
import pytest

from seqtk.data import token_shards
from seqtk.data.language_model_dataset import _BlockShuffle, encode_texts, stream_batches, window_batches
from seqtk.data.text_sources import read_text_file
from seqtk.data.token_shards import TokenShards, tokenizer_fingerprint, write_token_shards
from seqtk.errors import DataError
from seqtk.tokenizers import CharTokenizer, WordTokenizer


@pytest.fixture
def files(tmp_path, corpus_file):
    text = read_text_file(corpus_file)
    paths = []
    for index, (start, stop) in enumerate([(0, 7000), (7000, 15000), (15000, 19999)]):
        path = tmp_path / f"part{index}.txt"
        path.write_text(text[start:stop], encoding="utf-8")  # the last ends without a newline
        paths.append(str(path))
    return paths


def batches(stream, count):
    return [tuple(np.asarray(t) for t in batch) for batch in stream.dataset().take(count).as_numpy_iterator()]


@pytest.mark.parametrize("kind", ["char", "word"])
@pytest.mark.parametrize("reverse", [False, True])
def test_shards_hold_the_stream_encode_texts_gives(tmp_path, files, monkeypatch, kind, reverse):
    monkeypatch.setattr(token_shards, "CHUNK_BYTES", 997)  # many chunks, cut mid-line
    named = [(p, read_text_file(p)) for p in files]
    tokenizer = (CharTokenizer if kind == "char" else WordTokenizer).train([t for _, t in named])
    manifest = write_token_shards(tokenizer, {"train": files[:2], "validation": files[2:]}, str(tmp_path / "out"),
                                  reverse=reverse, workers=2, shard_tokens=1000, log=lambda *a: None, progress=False)
    train = TokenShards(str(tmp_path / "out"), "train")
    expected = encode_texts(tokenizer, named[:2], reverse=reverse)
    assert len(train) == len(expected) == manifest["splits"]["train"]["tokens"]
    assert len(manifest["splits"]["train"]["shards"]) == -(-len(expected) // 1000)
    np.testing.assert_array_equal(train.read(0, len(train)), expected)
    np.testing.assert_array_equal(train[995:2010], expected[995:2010])  # across two shard boundaries
    validation = TokenShards(str(tmp_path / "out"), "validation")
    np.testing.assert_array_equal(validation.read(0, len(validation)), encode_texts(tokenizer, named[2:], reverse))
    assert manifest["tokenizer_hash"] == tokenizer_fingerprint(tokenizer) and manifest["dtype"] == "uint16"
    assert json.load(open(tmp_path / "out" / "manifest.json")) == manifest


def test_batches_from_disk_are_the_batches_from_memory(tmp_path, files):
    named = [(p, read_text_file(p)) for p in files]
    tokenizer = CharTokenizer.train([t for _, t in named])
    write_token_shards(tokenizer, {"train": files}, str(tmp_path / "out"), workers=1, shard_tokens=4096,
                       log=lambda *a: None, progress=False)
    on_disk, in_memory = TokenShards(str(tmp_path / "out")), np.asarray(encode_texts(tokenizer, named))
    for make in (lambda t: stream_batches(t, 4, 20), lambda t: window_batches(t, 8, 20, seed=3)):
        a, b = make(on_disk), make(in_memory)
        assert len(a) == len(b)
        a.seek(len(a) - 2)  # across the end of a pass
        b.seek(len(b) - 2)
        for (x1, y1), (x2, y2) in zip(batches(a, 5), batches(b, 5), strict=True):
            np.testing.assert_array_equal(x1, x2)
            np.testing.assert_array_equal(y1, y2)


def test_block_shuffle_covers_every_window_once_and_starts_anywhere():
    order = _BlockShuffle(count=1003, batch_size=8, block=100, seed=5)
    whole = list(order[0:])
    assert len(whole) == len(order) == 125 and all(len(b) == 8 for b in whole)
    seen = np.concatenate(whole)
    assert len(set(seen.tolist())) == len(seen) == 1000 and seen.max() < 1003
    assert not np.array_equal(seen, np.sort(seen))
    for start in (1, 12, 13, 124):
        assert [b.tolist() for b in order[start:]] == [b.tolist() for b in whole[start:]]


def test_bad_input_names_the_file_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"good line\nsecond\n\xff\xfe broken\n")
    tokenizer = CharTokenizer.train(["good line"])
    with pytest.raises(DataError, match=r"bad.txt, line 3: not UTF-8"):
        write_token_shards(tokenizer, {"train": [str(bad)]}, str(tmp_path / "out"), workers=1,
                           log=lambda *a: None, progress=False)
    assert not (tmp_path / "out" / "manifest.json").exists()  # no half corpus passes for a whole one
    with pytest.raises(DataError, match="tfds:imdb_reviews: seqtk prepare reads text files"):
        write_token_shards(tokenizer, {"train": ["tfds:imdb_reviews"]}, str(tmp_path / "out"), workers=1,
                           log=lambda *a: None, progress=False)
    with pytest.raises(DataError, match="not a prepared corpus"):
        TokenShards(str(tmp_path / "out"))


def test_a_missing_or_cut_shard_is_refused(tmp_path, files):
    tokenizer = CharTokenizer.train([read_text_file(files[0])])
    write_token_shards(tokenizer, {"train": files[:1]}, str(tmp_path / "out"), workers=1, shard_tokens=2048,
                       log=lambda *a: None, progress=False)
    shard = tmp_path / "out" / "train-00001.ids"
    shard.write_bytes(shard.read_bytes()[:-2])
    with pytest.raises(DataError, match="train-00001.ids: missing or of the wrong size"):
        TokenShards(str(tmp_path / "out"))
    os.remove(shard)
    with pytest.raises(DataError, match="train-00001.ids: missing"):
        TokenShards(str(tmp_path / "out"))
