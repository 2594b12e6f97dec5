"""Training a language model on a corpus tokenized once into shards on disk (`seqtk prepare`)."""

import json
import os

import numpy as np
import pytest

from seqtk.cli import main
from seqtk.data.language_model_dataset import encode_texts
from seqtk.data.prepared_corpus import PreparedCorpus, prepare_corpus
from seqtk.data.text_sources import read_text_file
from seqtk.errors import DataError
from seqtk.tasks import get_task, load_config, train
from seqtk.tokenizers import CharTokenizer


def config_of(tmp_path, *extra, data=None):
    return load_config("shakespeare_char", data=data, overrides=[
        f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
        "model.hidden_dim=16", "model.embedding_dim=8", "model.num_layers=1", "training.batch_size=4",
        "training.sequence_length=20", "training.epochs=1", "training.time_budget_minutes=0",
        "training.eval_batch_size=2", "training.verbose=0", "sample_length=10", "training.jit_compile=false",
        "data.validation_fraction=0.1", *extra])


def test_a_prepared_corpus_trains_like_its_files(tmp_path, corpus_file):
    manifest = prepare_corpus(config_of(tmp_path, data=[corpus_file]), str(tmp_path / "prepared"), workers=1,
                              log=lambda *a: None)
    total = manifest["splits"]["train"]["tokens"]
    # No data.validation: the last 10% of the tokens validate (as the text's last 10% would).
    assert manifest["validation_from"] == total - int(total * 0.1)
    on_disk = train(config_of(tmp_path, f"data.prepared={tmp_path / 'prepared'}", "name=on_disk"),
                    log=lambda *a: None)
    assert on_disk["metrics"]["train_tokens"] == manifest["validation_from"]
    # The same text and tokenizer held in memory give the same batches and validation tokens.
    task, config = get_task("lm"), config_of(tmp_path, f"data.prepared={tmp_path / 'prepared'}")
    corpus = PreparedCorpus(str(tmp_path / "prepared"))
    tokenizer = corpus.tokenizer()
    from_disk = task.prepare(config, tokenizer, [corpus], [corpus], lambda *a: None)
    ids = encode_texts(tokenizer, [("corpus", read_text_file(corpus_file))])
    split = manifest["validation_from"]
    texts = [("train", tokenizer.decode(ids[:split])[:-1])], [("valid", tokenizer.decode(ids[split:])[:-1])]
    from_memory = task.prepare(config, tokenizer, *texts, lambda *a: None)
    np.testing.assert_array_equal(from_disk.extras["valid_ids"], from_memory.extras["valid_ids"])
    assert len(from_disk.train) == len(from_memory.train)
    for a, b in zip(from_disk.train.one_pass().as_numpy_iterator(), from_memory.train.one_pass().as_numpy_iterator(),
                    strict=True):
        np.testing.assert_array_equal(a[0], b[0])
    card = open(os.path.join(on_disk["directory"], "MODEL_CARD.md")).read()
    assert f"the corpus prepared in {tmp_path / 'prepared'}" in card


def test_a_corpus_of_another_tokenizer_or_direction_is_refused(tmp_path, corpus_file):
    prepare_corpus(config_of(tmp_path, data=[corpus_file]), str(tmp_path / "prepared"), workers=1,
                   log=lambda *a: None)
    corpus = PreparedCorpus(str(tmp_path / "prepared"))
    with pytest.raises(DataError, match="prepared with another tokenizer than this model's"):
        corpus.check(CharTokenizer.train(["abc"]), reverse=False)
    with pytest.raises(DataError, match="prepared left to right, and model.reverse is true"):
        corpus.check(corpus.tokenizer(), reverse=True)
    with pytest.raises(DataError, match="not a prepared corpus"):
        train(config_of(tmp_path, f"data.prepared={tmp_path}"), log=lambda *a: None)


def test_the_prepare_command(tmp_path, corpus_file, capsys):
    valid = tmp_path / "valid.txt"
    valid.write_text(read_text_file(corpus_file)[:3000], encoding="utf-8")
    code = main(["prepare", "--config", "shakespeare_char", "--data", corpus_file, "--out", str(tmp_path / "p"),
                 "--set", f"data.validation=[{valid}]", "--set", "tokenizer.kind=word", "--workers", "1"])
    assert code == 0 and "--set data.prepared=" in capsys.readouterr().out
    manifest = json.load(open(tmp_path / "p" / "manifest.json"))
    assert set(manifest["splits"]) == {"train", "validation"} and "validation_from" not in manifest
    assert json.load(open(tmp_path / "p" / "tokenizer" / "tokenizer.json"))["kind"] == "word"
    assert main(["prepare", "classifier", "--config", "sst2"]) == 2
    assert "the classifier task reads its files as they are" in capsys.readouterr().err
    assert get_task("lm").load_config(None, ["data.prepared=x"]).data.prepared == "x"
