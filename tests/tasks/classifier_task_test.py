import hashlib
import json
import os

import keras
import numpy as np
import pytest

from seqtk.data.labeled_text import read_labeled, split_examples
from seqtk.models import LanguageModel, TextClassifier
from seqtk.tasks import load_model_directory
from seqtk.tasks import load_config, train
from seqtk.tasks.classifier import read_classification_data
from seqtk.data.language_model_text import read_language_model_data

pytestmark = pytest.mark.large


def classifier_config(tmp_path, files, *extra):
    return load_config(
        "sst2_sentences", task="classifier",
        overrides=[
            f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
            f"data.validation=[{files['dev']}]", "data.format=auto", "model.embedding_dim=16",
            "model.hidden_dim=16", "training.batch_size=16", "training.epochs=1",
            "training.time_budget_minutes=0", "training.verbose=0", *extra,
        ],
        data=[files["train"]],
    )


def tiny_language_model(tmp_path, files, *extra):
    config = load_config(overrides=[
        f"output_dir={tmp_path}/saved", f"checkpoint_dir={tmp_path}/checkpoints", f"log_dir={tmp_path}/runs",
        "name=lm", f"data.train=[{files['train']}]", "data.text_column=sentence", "tokenizer.kind=word",
        "model.embedding_dim=16", "model.hidden_dim=[24, 16]", "model.num_layers=2", "model.tie_weights=true",
        "training.batch_size=4", "training.sequence_length=20", "training.epochs=1", "training.verbose=0",
        "training.eval_batch_size=2", "sample_length=5", *extra,
    ])
    return train(config, log=lambda *_: None)["directory"]


@pytest.fixture(scope="class")
def language_models(tmp_path_factory, sentiment_files_in):
    """`(folder, sentiment files, forward model, backward model)`: tiny word language models that the transfer
    tests start from, trained once (they only read them)."""
    keras.utils.set_random_seed(1)
    folder = tmp_path_factory.mktemp("language_models")
    files = sentiment_files_in(folder)
    forward = tiny_language_model(folder, files)
    backward = tiny_language_model(folder, files, "name=lm_backward", "model.reverse=true")
    return folder, files, forward, backward


class ClassifierTrainerTest:
    def test_trains_saves_labels_and_report(self, tmp_path, sentiment_files):
        result = train(classifier_config(tmp_path, sentiment_files), log=lambda *_: None)
        directory = result["directory"]
        model, tokenizer, config = load_model_directory(directory)
        assert isinstance(model, TextClassifier) and config.labels == ["0", "1"]
        with open(os.path.join(directory, "metrics.json")) as handle:
            metrics = json.load(handle)
        report = metrics["validation"]
        assert report["examples"] == 100 and 0 <= report["accuracy"] <= 1
        matrix = np.array(report["confusion_matrix"]["rows_true_columns_predicted"])
        assert matrix.sum() == 100 and np.trace(matrix) == round(report["accuracy"] * 100)
        assert set(report["per_class"]) == {"0", "1"}
        card = open(os.path.join(directory, "MODEL_CARD.md")).read()
        assert "Labels, in output order: 0, 1" in card and "confusion matrix" in card

    def test_string_labels_and_resume(self, tmp_path, sentiment_files):
        for key in ("train", "dev"):
            lines = open(sentiment_files[key]).read().split("\n")
            relabeled = [lines[0]] + [line[:-1] + ("pos" if line.endswith("1") else "neg") for line in lines[1:] if line]
            open(sentiment_files[key], "w").write("\n".join(relabeled) + "\n")
        first = train(classifier_config(tmp_path, sentiment_files), log=lambda *_: None)["metrics"]
        messages = []
        result = train(classifier_config(tmp_path, sentiment_files, "training.epochs=2"), resume=True,
                                  log=messages.append)
        assert any("Resuming sst2_sentences from epoch 1" in m for m in messages)
        assert result["metrics"]["epochs_run"] == 2 and len(result["metrics"]["history"]) == 2
        # The card's training time is both runs': the first up to its checkpoint, then the resumed one.
        earlier = result["metrics"]["resumed_after_seconds"]
        assert 0 < earlier <= first["training_seconds"] + 1 and result["metrics"]["training_seconds"] > earlier
        assert "resumed_after_seconds" not in first
        _, _, config = load_model_directory(result["directory"])
        assert config.labels == ["neg", "pos"]

    def test_unseen_validation_label_is_reported_with_its_count(self, tmp_path, sentiment_files):
        with open(sentiment_files["dev"], "a") as handle:
            handle.write("neither here nor there\tneutral\nmeh\tneutral\n")
        with pytest.raises(ValueError, match=r"'neutral' ×2 \(first at .*dev.tsv, line 102\)"):
            train(classifier_config(tmp_path, sentiment_files), log=lambda *_: None)

    def test_ulmfit_transfer_with_gradual_unfreezing(self, language_models):
        tmp_path, sentiment_files, lm_directory, _ = language_models
        language_model, lm_tokenizer, _ = load_model_directory(lm_directory)
        config = classifier_config(
            tmp_path, sentiment_files, "name=transferred", "training.lr_schedule=slanted_triangular",
            "training.discriminative_decay=2.6", "training.gradual_unfreezing=true", "model.head_dim=8")
        messages = []
        result = train(config, init_from=lm_directory, log=messages.append)
        model, tokenizer, saved_config = load_model_directory(result["directory"])
        assert tokenizer.vocabulary == lm_tokenizer.vocabulary
        assert saved_config.init_from == lm_directory
        assert saved_config.model.hidden_dim == [24, 16] and saved_config.model.bidirectional is False
        # One epoch with gradual unfreezing trains the head only: the transferred layers are unchanged.
        np.testing.assert_array_equal(model.embedding.embeddings, language_model.embedding.embeddings)
        for source, target in zip(language_model.recurrent.directions, model.recurrent.directions, strict=True):
            for a, b in zip(source[0].get_weights(), target[0].get_weights(), strict=True):
                np.testing.assert_array_equal(a, b)
        assert any("multipliers by layer group, bottom first: 0, 0, 0, 1" in m for m in messages)

    def test_a_forward_and_a_backward_language_model_make_one_bidirectional_classifier(self, language_models):
        tmp_path, sentiment_files, forward_directory, backward_directory = language_models
        forward, _, _ = load_model_directory(forward_directory)
        backward, _, _ = load_model_directory(backward_directory)
        config = classifier_config(
            tmp_path, sentiment_files, "name=both", f"init_from_backward={backward_directory}",
            "training.lr_schedule=slanted_triangular", "training.discriminative_decay=2.6",
            "training.gradual_unfreezing=true", "model.head_dim=8")
        messages = []
        result = train(config, init_from=forward_directory, log=messages.append)
        model, _, saved = load_model_directory(result["directory"])
        assert model.bidirectional and not model.reverse and saved.model.bidirectional
        assert (saved.init_from, saved.init_from_backward) == (forward_directory, backward_directory)
        assert saved.model.embedding_dim == 32 and any("(forward) and" in m for m in messages)
        # One epoch of gradual unfreezing trains the head only: the word vectors are still both models'.
        np.testing.assert_array_equal(model.embedding.embeddings, np.concatenate(
            [forward.embedding.embeddings, backward.embedding.embeddings], axis=1))
        card = open(os.path.join(result["directory"], "MODEL_CARD.md")).read()
        assert f"`{backward_directory}` (backward directions)" in card
        # Two forward models, or a backward model with another vocabulary, are refused with what to do.
        with pytest.raises(ValueError, match="a forward language model, given as the backward one"):
            train(classifier_config(tmp_path, sentiment_files, "name=twice", f"init_from_backward={forward_directory}"),
                  init_from=forward_directory, log=lambda *_: None)
        other = tiny_language_model(tmp_path, sentiment_files, "name=other", "model.reverse=true",
                                    "tokenizer.min_frequency=2")
        with pytest.raises(ValueError, match="its tokenizer is not"):
            train(classifier_config(tmp_path, sentiment_files, "name=other_vocabulary", f"init_from_backward={other}"),
                  init_from=forward_directory, log=lambda *_: None)

    def test_the_card_tells_the_chain_of_models_the_classifier_started_from(self, language_models):
        from seqtk.tasks.language_model import fine_tuning_config

        tmp_path, sentiment_files, base, backward = language_models
        tuned = train(fine_tuning_config(base, overrides=["name=lm_tuned", "training.epochs=1"]),
                      init_from=base, log=lambda *_: None)["directory"]
        result = train(classifier_config(tmp_path, sentiment_files, "name=chained", f"init_from_backward={backward}"),
                       init_from=tuned, log=lambda *_: None)
        recorded = {}
        for directory in (base, tuned, backward):
            with open(os.path.join(directory, "metrics.json")) as handle:
                recorded[directory] = json.load(handle)
        (first, second) = result["metrics"]["starts_from"]
        assert (first["directory"], first["name"], first["task"]) == (tuned, "lm_tuned", "lm")
        assert first["training_seconds"] == recorded[tuned]["training_seconds"]
        assert first["train"] == [sentiment_files["train"]]
        assert first["model_sha256"] == hashlib.sha256(open(os.path.join(tuned, "model.keras"), "rb").read()).hexdigest()
        assert [p["directory"] for p in first["starts_from"]] == [base] and first["starts_from"][0]["starts_from"] == []
        assert (second["directory"], second["starts_from"]) == (backward, [])
        assert recorded[tuned]["starts_from"][0]["directory"] == base and "starts_from" not in recorded[base]
        card = open(os.path.join(result["directory"], "MODEL_CARD.md")).read()
        chain = card.split("## Starting point\n")[1].split("\n\n")[0].splitlines()
        assert chain[0].startswith(f"- `{tuned}` (lm_tuned, lm): trained on {sentiment_files['train']} for ")
        assert chain[0].endswith(", starting from") and chain[1].startswith(f"  - `{base}` (lm, lm): trained on ")
        assert chain[2].startswith(f"- `{backward}` (lm_backward, lm)") and not chain[2].endswith("starting from")
        assert chain[3].startswith("- Training time of the whole chain, this model's included: ")

    def test_init_from_a_classifier_is_refused(self, tmp_path, sentiment_files):
        directory = train(classifier_config(tmp_path, sentiment_files), log=lambda *_: None)["directory"]
        with pytest.raises(ValueError, match="not a language model"):
            train(classifier_config(tmp_path, sentiment_files, "name=again"), init_from=directory,
                             log=lambda *_: None)

    def test_language_model_and_classifier_hold_out_the_same_rows(self, tmp_path, sentiment_files):
        lm = load_config(overrides=[f"data.train=[{sentiment_files['train']}]", "data.text_column=sentence",
                                    "data.split_seed=9"])
        classifier = load_config(task="classifier", overrides=[
            f"data.train=[{sentiment_files['train']}]", "data.split_seed=9", "data.validation=[]"])
        _, lm_valid = read_language_model_data(lm.data)
        _, valid = read_classification_data(classifier.data)
        assert lm_valid[0][1] == "\n".join(e.text for e in valid) + "\n"
        assert len(valid) == 40
        assert valid == split_examples(read_labeled(sentiment_files["train"]), 0.1, 9)[1]


def test_language_model_from_a_csv_column(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_text('id,label,text\n1,1,"Good, very good."\n2,0,"Bad.\nReally bad."\n' * 30, encoding="utf-8")
    config = load_config(overrides=[f"data.train=[{path}]", "data.text_column=text", "data.validation_fraction=0.2"])
    (name, train), (_, valid) = [pair for part in read_language_model_data(config.data) for pair in part]
    assert name == str(path) and train.count("Good, very good.") + valid.count("Good, very good.") == 30
    assert "id,label" not in train
    assert isinstance(LanguageModel, type)
