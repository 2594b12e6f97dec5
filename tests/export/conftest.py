"""Fixtures of the export tests: a tokenizer, a text file and seqtk model directories of tiny models."""

import pytest
from export_models import TEXT, classifier, language_model, translator

from seqtk.models import save_model_directory
from seqtk.tokenizers import CharTokenizer
from seqtk.tokenizers.tokenizer_pair import TokenizerPair


@pytest.fixture
def char_tokenizer():
    return CharTokenizer.train([TEXT])


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text(TEXT * 3, encoding="utf-8")
    return str(path)


@pytest.fixture
def model_directory(tmp_path, char_tokenizer):
    """Writes a seqtk model directory for `kind` ('lm', 'classifier', 'translator') and returns its path."""

    def make(kind, cell_type="lstm", **kwargs):
        size = char_tokenizer.vocabulary_size
        if kind == "lm":
            model, tokenizer = language_model(cell_type, vocabulary_size=size, **kwargs), char_tokenizer
            config = {"data": {"train": []}}
        elif kind == "classifier":
            model, tokenizer = classifier(cell_type, vocabulary_size=size, **kwargs), char_tokenizer
            config = {
                "data": {"train": [], "max_length": 48, "truncation": "head"},
                "labels": ["neg", "neu", "pos"],
            }
        else:
            model, tokenizer = (
                translator(cell_type, vocabulary_size=size, **kwargs),
                TokenizerPair(char_tokenizer),
            )
            config = {
                "data": {"train": [], "max_source_length": 12, "max_target_length": 20},
                "training": {"length_penalty": 0.6},
            }
        return save_model_directory(str(tmp_path / f"{kind}_{cell_type}"), model, tokenizer, config)

    return make
