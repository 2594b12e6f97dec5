"""A text classifier as `seqtk.load` gives it: `classify(texts)` → label and probabilities."""

import numpy as np

from seqtk.defaults import BATCH_SIZE
from seqtk.predictors.predictor import Predictor, register_predictor


@register_predictor("classifier")
class ClassifierPredictor(Predictor):
    """`classify("a witty film")` → `{"label": "1", "probabilities": {"0": 0.03, "1": 0.97}}`; a list gives one
    such result per text.

    Examples:
        >>> classifier = seqtk.load("saved_models/sst2_ulmfit_bidirectional")
        >>> [r["label"] for r in classifier.classify(["A gorgeous, witty film.", "Dull and lifeless."])]
        ['1', '0']
    """

    @classmethod
    def from_keras(cls, directory, model, tokenizer, config):
        from seqtk.inference.classifier_ensemble import ClassifierEnsemble

        predictor = cls(directory, "keras", ClassifierEnsemble([(model, tokenizer, config)], [directory]), config)
        predictor.labels = list(predictor.runtime.labels)
        return predictor

    @classmethod
    def from_litert(cls, directory, model):
        predictor = cls(directory, "litert", model)
        predictor.labels = [str(label) for label in model.metadata["labels"]]
        return predictor

    def probabilities(self, texts, batch_size=BATCH_SIZE):
        """`(len(texts), len(labels))` class probabilities, in the order of `labels`."""
        texts, _ = self._many(texts)
        if self.backend == "keras":
            return self.runtime.probabilities(texts, batch_size)
        for number, text in enumerate(texts, start=1):
            if not text.strip():
                raise ValueError(f"input, line {number}: the text is empty. Give a non-empty text to classify.")
        return np.array([self.runtime.classify_ids(self.runtime.encode_text(text)) for text in texts])

    def classify(self, texts, batch_size=BATCH_SIZE):
        many, single = self._many(texts)
        results = [{"label": self.labels[int(row.argmax())],
                    "probabilities": {label: float(p) for label, p in zip(self.labels, row, strict=True)}}
                   for row in self.probabilities(many, batch_size)]
        return self._one_or_all(results, single)
