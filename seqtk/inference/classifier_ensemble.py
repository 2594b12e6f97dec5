"""Several trained text classifiers whose class probabilities are averaged."""

import numpy as np

from seqtk.data.classification_dataset import label_ids
from seqtk.defaults import BATCH_SIZE
from seqtk.inference.classifier_evaluation import classify_texts, evaluate_classifier
from seqtk.metrics.classification import classification_report


class ClassifierEnsemble:
    """Averages the probabilities of classifiers trained on the same labels.

    ULMFiT's reported results average a classifier built on a forward language model and one built
    on a backward model (Howard & Ruder 2018): the two read each text in opposite directions and
    err on different texts. Each member keeps its own tokenizer and truncation, so members need
    not share a vocabulary. One member is the model alone.

    Example:
    >>> ensemble = ClassifierEnsemble([load_model_directory("saved_models/sst2_lm_classifier"),
    ...                                load_model_directory("saved_models/sst2_lm_backward_classifier")])
    >>> ensemble.classify(["A gripping, funny film."])   # [("1", 0.97)]
    """

    def __init__(self, members, names=None):
        """`members`: `(model, tokenizer, config)` triples of `TextClassifier`s and their `ClassifierConfig`s."""
        if not members:
            raise ValueError("An ensemble needs at least one classifier.")
        self.members = list(members)
        self.names = list(names or [f"model {i + 1}" for i in range(len(self.members))])
        self.labels = [str(label) for label in self.members[0][2].labels]
        for name, (_, _, config) in zip(self.names[1:], self.members[1:], strict=True):
            labels = [str(label) for label in config.labels]
            if labels != self.labels:
                raise ValueError(
                    f"{name}: labels {labels} differ from {self.names[0]}'s {self.labels}. An ensemble "
                    "averages probabilities label by label; give classifiers trained on the same labels."
                )

    @staticmethod
    def _cut(config):
        return config.data.max_length, config.data.truncation

    def probabilities(self, texts, batch_size=BATCH_SIZE, source="input"):
        """`(len(texts), num_labels)` mean probabilities of the members."""
        return np.mean([
            classify_texts(model, tokenizer, texts, *self._cut(config), batch_size, source=source)
            for model, tokenizer, config in self.members
        ], axis=0)

    def classify(self, texts, batch_size=BATCH_SIZE, source="input"):
        """`[(label, probability), ...]`, one per text."""
        rows = self.probabilities(texts, batch_size, source)
        return [(self.labels[int(row.argmax())], float(row.max())) for row in rows]

    def evaluate(self, examples, batch_size=BATCH_SIZE):
        """`(report, probabilities)` of the averaged probabilities on labelled examples.

        With several members the report also holds each member's own accuracy and macro-F1
        under `members`. Labels no member knows raise a `ValueError` with their count.
        """
        targets = label_ids(examples, self.labels)
        reports, probabilities = [], []
        for model, tokenizer, config in self.members:
            report, member = evaluate_classifier(model, tokenizer, examples, self.labels, *self._cut(config),
                                                 batch_size)
            reports.append(report)
            probabilities.append(member)
        if len(self.members) == 1:
            return reports[0], probabilities[0]
        mean = np.mean(probabilities, axis=0)
        report = classification_report(targets, mean.argmax(axis=-1), self.labels)
        report["members"] = [
            {"model": name, "accuracy": member["accuracy"], "macro_f1": member["macro_f1"]}
            for name, member in zip(self.names, reports, strict=True)
        ]
        return report, mean
