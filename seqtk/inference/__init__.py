"""Using trained models: classifier probabilities and ensembles, translation and language-model scores."""

from seqtk.inference.classifier_ensemble import ClassifierEnsemble
from seqtk.inference.classifier_evaluation import classify_texts, evaluate_classifier, predict_probabilities
from seqtk.inference.language_model_evaluation import evaluate_language_model
from seqtk.inference.translator_evaluation import evaluate_translator, sentence_translator

__all__ = [
    "ClassifierEnsemble",
    "classify_texts",
    "evaluate_classifier",
    "evaluate_language_model",
    "evaluate_translator",
    "predict_probabilities",
    "sentence_translator",
]
