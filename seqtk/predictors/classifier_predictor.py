"""A text classifier as `seqtk.load` gives it: `classify(texts)` → label and probabilities."""

import numpy as np

from seqtk.defaults import BATCH_SIZE
from seqtk.errors import DataError
from seqtk.predictors.predictor import Predictor, register_predictor
from seqtk.tokenizers.unknown_symbols import located, report_unknown


@register_predictor("classifier")
class ClassifierPredictor(Predictor):
    """`classify("a witty film")` → `{"label": "1", "probabilities": {"0": 0.03, "1": 0.97}}`; a list gives one
    such result per text. `averaging(directories)` averages several saved classifiers (ULMFiT's forward and
    backward models).

    Examples:
        >>> classifier = seqtk.load("saved_models/sst2_ulmfit_bidirectional")
        >>> [r["label"] for r in classifier.classify(["A gorgeous, witty film.", "Dull and lifeless."])]
        ['1', '0']
    """

    verb = "classify"

    @classmethod
    def from_keras(cls, directory, model, tokenizer, config):
        return cls.averaging([directory], [(model, tokenizer, config)])

    @classmethod
    def averaging(cls, directories, members=None):
        """The mean probabilities of the classifiers saved in `directories` (trained on the same labels)."""
        from seqtk.inference.classifier_ensemble import ClassifierEnsemble
        from seqtk.tasks import load_model_directory

        members = members or [load_model_directory(d, task="classifier") for d in directories]
        ensemble = ClassifierEnsemble(members, list(directories))
        predictor = cls(", ".join(directories), "keras", ensemble, members[0][2] if len(members) == 1 else None)
        predictor.labels = list(ensemble.labels)
        predictor.input_tokenizer = members[0][1]
        return predictor

    @classmethod
    def from_litert(cls, directory, model):
        predictor = cls(directory, "litert", model)
        predictor.labels = [str(label) for label in model.metadata["labels"]]
        predictor.input_tokenizer = model.input_tokenizer
        return predictor

    def report_unknown(self, texts, locations=None, what="Input"):
        if self.backend == "litert" or len(self.runtime.members) == 1:
            super().report_unknown(texts, locations, what)
            return
        seen = set()  # an ensemble's members may share a tokenizer: report each tokenizer's unknowns once
        for (_, tokenizer, _), name in zip(self.runtime.members, self.runtime.names, strict=True):
            if id(tokenizer) not in seen:
                seen.add(id(tokenizer))
                report_unknown(tokenizer, located(texts, locations or ["input"] * len(texts)), f"{what} ({name})")

    def probabilities(self, texts, batch_size=BATCH_SIZE, locations=None):
        """`(len(texts), len(labels))` class probabilities, in the order of `labels`."""
        texts, _ = self._many(texts)
        for number, text in enumerate(texts):
            if not text.strip():
                where = locations[number] if locations else f"input, line {number + 1}"
                raise DataError(f"{where}: the text is empty. Give a non-empty text to classify.")
        if self.backend == "keras":
            return self.runtime.probabilities(texts, batch_size)
        return np.array([self.runtime.classify_ids(self.runtime.encode_text(text)) for text in texts])

    def classify(self, texts, batch_size=BATCH_SIZE, locations=None):
        many, single = self._many(texts)
        results = [{"label": self.labels[int(row.argmax())],
                    "probabilities": {label: float(p) for label, p in zip(self.labels, row, strict=True)}}
                   for row in self.probabilities(many, batch_size, locations)]
        return self._one_or_all(results, single)

    def output_lines(self, texts, batch_size=BATCH_SIZE, locations=None, **_):
        rows = self.probabilities(texts, batch_size, locations)
        return [f"{self.labels[int(row.argmax())]}\t{row.max():.4f}\t{text}" for text, row in zip(texts, rows, strict=True)]
