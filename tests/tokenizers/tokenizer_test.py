"""A tokenizer file that is not what it claims is refused with the file's name (issue 17, safe loading)."""

import json
import os

import pytest

from seqtk.tokenizers import CharTokenizer
from seqtk.tokenizers.tokenizer import TOKENIZER_FILE, load_tokenizer


def write(directory, content):
    path = os.path.join(directory, TOKENIZER_FILE)
    with open(path, "wb") as handle:
        handle.write(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\xff\xfe binary", "not JSON text"),
        (b"[1, 2]", "a JSON object with a 'kind' was expected"),
        ({"kind": "pickle"}, "unknown tokenizer kind 'pickle'"),
        ({"kind": "char"}, "not a valid char tokenizer .KeyError"),
        ({"kind": "char", "characters": 5}, "'characters' must be a list"),
        ({"kind": "word", "words": ["a", None]}, "'words' must be a list"),
        ({"kind": "sentencepiece", "model_file": "../../../etc/passwd"}, "must name a file inside"),
        ({"kind": "sentencepiece", "model_file": "/etc/passwd"}, "must name a file inside"),
        ({"kind": "pair", "source": "..", "target": "t"}, "must name a file inside"),
    ],
)
def test_refused_with_the_file_named(tmp_path, content, message):
    path = write(tmp_path, content)
    with pytest.raises(ValueError, match=message) as raised:
        load_tokenizer(str(tmp_path))
    assert path in str(raised.value)


def test_a_model_file_that_is_not_sentencepiece_is_refused(tmp_path):
    (tmp_path / "spm.model").write_bytes(b"this is not a protobuf")
    write(tmp_path, {"kind": "sentencepiece", "model_file": "spm.model"})
    with pytest.raises(ValueError, match="not a valid sentencepiece tokenizer"):
        load_tokenizer(str(tmp_path))


def test_a_good_file_still_loads(tmp_path):
    CharTokenizer.train(["hello\n"]).save(str(tmp_path))
    tokenizer = load_tokenizer(str(tmp_path))
    assert tokenizer.decode(tokenizer.encode("hell")) == "hell"


def test_load_from_directory_without_tokenizer_names_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="no tokenizer here"):
        load_tokenizer(tmp_path)
