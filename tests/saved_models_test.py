import json
import os

import pytest

from seqtk.data.labeled_text import read_labeled
from seqtk.models import TextClassifier
from seqtk.tasks import load_model_directory
from seqtk.inference.classifier_evaluation import classify_texts, evaluate_classifier

ROOT = os.path.join(os.path.dirname(__file__), "..", "saved_models")


@pytest.mark.large
def test_shipped_sentiment_model_scores_what_its_card_says():
    directory = os.path.join(ROOT, "sst2_sentences")
    model, tokenizer, config = load_model_directory(directory)
    assert isinstance(model, TextClassifier) and config.labels == ["0", "1"]
    with open(os.path.join(directory, "metrics.json")) as handle:
        recorded = json.load(handle)["validation"]
    report, _ = evaluate_classifier(model, tokenizer, read_labeled("bundled:sst2_sentences_dev"), config.labels,
                                    config.data.max_length)
    assert report["accuracy"] == pytest.approx(recorded["accuracy"], abs=1e-9) and report["accuracy"] > 0.78
    probabilities = classify_texts(model, tokenizer, ["a gorgeous , witty , seductive movie .",
                                                      "the plot is dull and the acting is worse ."])
    assert probabilities.argmax(axis=-1).tolist() == [1, 0]


@pytest.mark.large
def test_shipped_translator_scores_what_its_card_says():
    from seqtk.data.parallel_text import read_parallel
    from seqtk.inference.translator_evaluation import evaluate_translator, sentence_translator
    from seqtk.models import Seq2SeqTranslator

    directory = os.path.join(ROOT, "tatoeba_sample")
    # Saved by an earlier version: its config.yaml still holds keys the translator no longer reads.
    model, tokenizers, config = load_model_directory(directory)
    assert isinstance(model, Seq2SeqTranslator) and config.data.max_source_length == 40
    with open(os.path.join(directory, "metrics.json")) as handle:
        recorded = json.load(handle)["validation"]
    translator = sentence_translator(model, tokenizers, config.data)
    report, hypotheses = evaluate_translator(translator, read_parallel("bundled:tatoeba_fr_en_valid"))
    assert report["bleu"] == pytest.approx(recorded["greedy"]["bleu"], abs=1e-6) and report["bleu"] > 12
    assert hypotheses[1] == translator.translate("La radio ne fonctionne pas.")


@pytest.mark.large
def test_shipped_tagger_scores_what_its_card_says_and_tags_a_sentence():
    from seqtk.data.tagged_text import read_tagged
    from seqtk.inference.sentence_tagging import evaluate_tagger
    from seqtk.models import SequenceTagger
    from seqtk.tasks.tagger import sentence_tagger

    directory = os.path.join(ROOT, "ud_ewt_sample")
    model, tokenizer, config = load_model_directory(directory, task="tagger")
    assert isinstance(model, SequenceTagger) and len(config.tags) == 17 and config.data.scheme == "none"
    with open(os.path.join(directory, "metrics.json")) as handle:
        recorded = json.load(handle)["validation"]
    tagger = sentence_tagger(model, tokenizer, config)
    report = evaluate_tagger(tagger, read_tagged(["bundled:ud_ewt_sample_dev"]))
    assert report["accuracy"] == pytest.approx(recorded["accuracy"], abs=1e-9) and report["accuracy"] > 0.92
    assert tagger.tag([["I", "saw", "her", "at", "the", "office", "."]]) == [
        ("PRON", "VERB", "PRON", "ADP", "DET", "NOUN", "PUNCT")]
