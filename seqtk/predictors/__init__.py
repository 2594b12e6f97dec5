"""`seqtk.load`: a saved or exported model as one object with its task's methods (Keras or LiteRT backend)."""

# Each predictor module registers its task's predictor in `predictor` (a leaf) as it is imported here.
from seqtk.predictors.classifier_predictor import ClassifierPredictor
from seqtk.predictors.language_model_predictor import LanguageModelPredictor
from seqtk.predictors.predictor import Predictor, load, register_predictor
from seqtk.predictors.tagger_predictor import TaggerPredictor
from seqtk.predictors.translator_predictor import TranslatorPredictor

__all__ = ["ClassifierPredictor", "LanguageModelPredictor", "Predictor", "TaggerPredictor", "TranslatorPredictor",
           "load", "register_predictor"]
