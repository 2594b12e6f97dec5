import dataclasses
import json
import os

import numpy as np
import pytest
from shipped_models import changes, shipped_model

from seqtk.data.labeled_text import read_labeled
from seqtk.models import TextClassifier
from seqtk.tasks import load_model_directory
from seqtk.training.model_card import file_sha256
from seqtk.inference.classifier_evaluation import classify_texts, evaluate_classifier



def test_every_shipped_file_is_the_one_recorded_in_the_sums():
    assert changes() == [], "\n".join(changes()) + "\nRestore with `git checkout -- saved_models`."


def recorded_metrics(directory):
    with open(os.path.join(directory, "metrics.json")) as handle:
        return json.load(handle)


def model_file_sha256(directory):
    return file_sha256(os.path.join(directory, "model.keras"))


@pytest.mark.large
def test_shipped_sentiment_model_scores_what_its_card_says_on_glue_dev():
    directory = shipped_model("sst2_ulmfit_bidirectional")
    model, tokenizer, config = load_model_directory(directory)
    assert isinstance(model, TextClassifier) and config.labels == ["0", "1"]
    assert model.bidirectional and config.save_precision == "float16"
    recorded = recorded_metrics(directory)["validation"]
    # GLUE SST-2 dev as the config read it (../shared/data/sst2/dev.tsv), bundled: all 872 sentences.
    examples = read_labeled("bundled:sst2_dev", text_column="sentence", label_column="label")
    report, _ = evaluate_classifier(model, tokenizer, examples, config.labels, config.data.max_length)
    assert report["examples"] == recorded["examples"] == 872
    assert report["accuracy"] == pytest.approx(recorded["accuracy"], abs=1e-9) and report["accuracy"] >= 0.86
    probabilities = classify_texts(model, tokenizer, ["a gorgeous , witty , seductive movie .",
                                                      "the plot is dull and the acting is worse ."])
    assert probabilities.argmax(axis=-1).tolist() == [1, 0]


@pytest.mark.large
def test_the_language_models_the_sentiment_preset_transferred_from_ship_beside_it():
    from seqtk.inference.language_model_evaluation import evaluate_language_model
    from seqtk.models import LanguageModel
    from seqtk.data.language_model_dataset import encode_texts
    from seqtk.data.language_model_text import read_language_model_data

    classifier = recorded_metrics(shipped_model("sst2_ulmfit_bidirectional"))
    forward, backward = classifier["starts_from"]
    for point, name, reverse in [(forward, "sst2_lm", False), (backward, "sst2_lm_backward", True)]:
        directory = shipped_model(name)
        # The very files the classifier started from (their hash was recorded when it was trained).
        assert point["name"] == name and point["model_sha256"] == model_file_sha256(directory)
        model, tokenizer, config = load_model_directory(directory, task="lm")
        assert isinstance(model, LanguageModel) and model.reverse == reverse and config.save_precision == "float16"
        metrics = recorded_metrics(directory)
        # Each was fine-tuned on SST-2 sentences from a language model trained on IMDB reviews; the card says so.
        (base,) = metrics["starts_from"]
        assert base["train"] == ["{data_dir}/imdb/train.csv"] and base["training_seconds"] > 1800
        card = open(os.path.join(directory, "MODEL_CARD.md")).read()
        assert "## Starting point" in card and "{data_dir}/imdb/train.csv" in card
        # Its validation perplexity, on the bundled copy of the GLUE dev sentences it was validated on.
        data = dataclasses.replace(config.data, train=["bundled:sst2_dev"], validation=["bundled:sst2_dev"])
        _, validation = read_language_model_data(data)
        report = evaluate_language_model(model, encode_texts(tokenizer, validation, reverse=reverse),
                                         batch_size=config.training.eval_batch_size,
                                         sequence_length=config.training.sequence_length)
        assert report["tokens"] == metrics["validation"]["tokens"]
        assert report["loss"] == pytest.approx(metrics["validation"]["loss"], abs=1e-5)


@pytest.mark.large
def test_shipped_translator_scores_what_its_card_says_on_the_whole_validation_split():
    from seqtk.data.parallel_text import read_parallel
    from seqtk.inference.translator_evaluation import evaluate_translator, sentence_translator
    from seqtk.models import Seq2SeqTranslator

    directory = shipped_model("tatoeba_fr_en")
    model, tokenizers, config = load_model_directory(directory)
    assert isinstance(model, Seq2SeqTranslator) and config.save_precision == "float16"
    with open(os.path.join(directory, "metrics.json")) as handle:
        recorded = json.load(handle)["validation"]
    # The bundled copy of the validation split the card names (French<TAB>English, all 8,255 pairs).
    pairs = read_parallel("bundled:tatoeba_fr_en_valid_full")
    assert len(pairs) == recorded["greedy"]["sentences"] == 8255
    translator = sentence_translator(model, tokenizers, config.data)
    report, hypotheses = evaluate_translator(translator, pairs)
    assert report["bleu"] == pytest.approx(recorded["greedy"]["bleu"], abs=1e-6) and report["bleu"] >= 40.0
    assert report["chrf"] == pytest.approx(recorded["greedy"]["chrf"], abs=1e-6)
    assert hypotheses[0] == translator.translate(pairs[0].source)


@pytest.mark.large
def test_shipped_tagger_scores_what_its_card_says_on_the_whole_dev_split_and_tags_a_sentence():
    from seqtk.data.tagged_text import read_tagged
    from seqtk.inference.sentence_tagging import evaluate_tagger
    from seqtk.models import SequenceTagger
    from seqtk.tasks.tagger import sentence_tagger

    directory = shipped_model("ud_ewt_upos")
    model, tokenizer, config = load_model_directory(directory, task="tagger")
    assert isinstance(model, SequenceTagger) and len(config.tags) == 17 and config.data.scheme == "none"
    with open(os.path.join(directory, "metrics.json")) as handle:
        recorded = json.load(handle)["validation"]
    tagger = sentence_tagger(model, tokenizer, config)
    report = evaluate_tagger(tagger, read_tagged(["bundled:ud_ewt_dev"]))  # UD EWT dev, all 2,001 sentences
    assert report["tokens"] == recorded["tokens"] == 25147
    assert report["accuracy"] == pytest.approx(recorded["accuracy"], abs=1e-9) and report["accuracy"] >= 0.95
    assert tagger.tag([["I", "saw", "her", "at", "the", "office", "."]]) == [
        ("PRON", "VERB", "PRON", "ADP", "DET", "NOUN", "PUNCT")]


@pytest.mark.large
def test_shipped_language_model_scores_what_its_card_says_and_starts_from_its_state():
    from seqtk.generation import TextGenerator
    from seqtk.inference.language_model_evaluation import evaluate_language_model
    from seqtk.models import LanguageModel
    from seqtk.data.language_model_dataset import encode_texts
    from seqtk.data.language_model_text import read_language_model_data

    directory = shipped_model("shakespeare_char_large")
    model, tokenizer, config = load_model_directory(directory, task="lm")
    assert isinstance(model, LanguageModel) and model.start_state and config.save_precision == "float16"
    with open(os.path.join(directory, "metrics.json")) as handle:
        recorded = json.load(handle)["validation"]
    _, validation = read_language_model_data(config.data)  # the last 10% of the bundled tiny Shakespeare
    report = evaluate_language_model(model, encode_texts(tokenizer, validation),
                                     batch_size=config.training.eval_batch_size,
                                     sequence_length=config.training.sequence_length, character_level=True)
    assert report["tokens"] == recorded["tokens"]
    assert report["loss"] == pytest.approx(recorded["loss"], abs=1e-5) and report["loss"] <= 1.45
    # Its start state is not the zero state, and greedy text from it reads as the play does.
    assert any(np.abs(np.asarray(state)).max() > 0.1 for state in model.start_states(1))
    text = TextGenerator(model, tokenizer).generate("JULIET:", max_length=200)
    assert text.startswith("JULIET:\n") and "\n\n" in text
