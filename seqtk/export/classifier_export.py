"""The `classify` signature of a trained text classifier, and the classifier's exporter."""

import numpy as np
import tensorflow as tf

from seqtk.export.export_examples import read_classifier_examples
from seqtk.export.export_signature import Signature
from seqtk.export.exporter import Exporter, register_exporter
from seqtk.export.frozen_dense import frozen_dense
from seqtk.export.recurrent_graph import TRACE_LENGTH, RecurrentGraph
from seqtk.export.state_signatures import SignaturePlan
from seqtk.models.text_classifier import TextClassifier

# The length an unrolled GRU/SimpleRNN classifier reads when its texts are not cut (max_length 0).
DEFAULT_UNROLLED_LENGTH = 64


class ClassifierExport:
    """`classify(token_ids) -> probabilities` for a `TextClassifier`, one text of any length per call.

    With `fixed_length` (GRU and SimpleRNN only) the recurrence is unrolled over exactly that many
    steps and the app right-pads `token_ids` with 0, which is masked as in Keras; otherwise the text
    is read at its own length (fused LSTM op, or a `WHILE` loop).

    Example:
    >>> export = ClassifierExport(model)
    >>> export.signatures()[0].key
    'classify'
    """


    def __init__(self, model, fixed_length=None, lstm_step="fused"):
        if fixed_length and model.cell_type == "lstm" and lstm_step != "unrolled":
            raise ValueError(
                "fixed_length unrolls GRU and SimpleRNN layers; an LSTM exports as the fused op, "
                "which reads texts at their own length (the web target unrolls it: lstm_step='unrolled')."
            )
        self.model = model
        self.fixed_length = fixed_length
        self.graph = RecurrentGraph(model.recurrent, lstm_step=lstm_step)
        self.embeddings = tf.constant(np.asarray(model.embedding.embeddings, np.float32))
        self.head = frozen_dense(model.head) if model.head is not None else None
        self.classifier = frozen_dense(model.classifier)

    @property
    def state_names(self):
        return self.graph.state_names

    def _classify(self, token_ids, *states):
        mask = tf.not_equal(token_ids, 0) if self.fixed_length else None
        if self.model.reverse:
            # A classifier of a backward language model reads right to left; padding stays at the end.
            if mask is None:
                token_ids = tf.reverse(token_ids, axis=[1])
            else:
                lengths = tf.reduce_sum(tf.cast(mask, tf.int32), axis=1)
                token_ids = tf.reverse_sequence(token_ids, lengths, seq_axis=1, batch_axis=0)
        vectors = tf.gather(self.embeddings, token_ids)
        outputs, _, last_outputs = self.graph(vectors, list(states), mask=mask)
        pooling = self.model.pooling
        pieces = []
        if pooling in ("last", "concat"):
            last = (
                last_outputs[0]
                if len(last_outputs) == 1
                else (
                    tf.concat(last_outputs, axis=-1)
                    if self.model.recurrent.merge_mode == "concat"
                    else last_outputs[0] + last_outputs[1]
                )
            )
            pieces.append(last)
        if mask is None:
            if pooling in ("max", "concat"):
                pieces.append(tf.reduce_max(outputs, axis=1))
            if pooling in ("mean", "concat"):
                pieces.append(tf.reduce_mean(outputs, axis=1))
        else:
            real = tf.cast(mask, tf.float32)[:, :, None]
            if pooling in ("max", "concat"):
                pieces.append(tf.reduce_max(outputs * real + (1.0 - real) * -1e4, axis=1))
            if pooling in ("mean", "concat"):
                pieces.append(
                    tf.reduce_sum(outputs * real, axis=1) / tf.maximum(tf.reduce_sum(real, axis=1), 1.0)
                )
        features = pieces[0] if len(pieces) == 1 else tf.concat(pieces, axis=-1)
        if self.head is not None:
            features = self.head(features)
        return {"probabilities": tf.nn.softmax(self.classifier(features), axis=-1)}

    def signatures(self):
        fused = self.graph.fused
        length = self.fixed_length or (TRACE_LENGTH if fused else None)
        plan = SignaturePlan(reset=self.state_names, dynamic={"token_ids": [1]} if fused else {})
        return [
            Signature(
                "classify",
                self._classify,
                [tf.TensorSpec([1, length], tf.int32, name="token_ids")] + self.graph.state_specs(),
                plan,
            )
        ]

    def sample_inputs(self, tokenizer, examples, count=32, max_length=0, truncation="head"):
        """Real `(key, inputs)` pairs: the first `count` texts, encoded and cut as in training."""
        from seqtk.data.classification_dataset import encode_examples
        from seqtk.data.labeled_text import LabeledExample

        texts = [
            LabeledExample(text, None, examples.source, i + 1)
            for i, text in enumerate(examples.texts[:count])
        ]
        zeros = {
            name: np.zeros((1, dim), np.float32)
            for name, dim in zip(self.state_names, self.graph.state_dims, strict=True)
        }
        for ids in encode_examples(tokenizer, texts, self.fixed_length or max_length, truncation):
            ids = np.asarray(ids, np.int32)[None, :]
            if self.fixed_length:
                ids = np.pad(ids, ((0, 0), (0, self.fixed_length - ids.shape[1])))
            yield "classify", {"token_ids": ids, **zeros}

    def keras_reference(self, key, inputs):
        if getattr(self, "_probabilities", None) is None:
            # One trace for every text length: eager calls cost 6x more over an export's hundreds of texts.
            self._probabilities = tf.function(self.model.predict_probabilities,
                                              input_signature=[tf.TensorSpec((1, None), tf.int32)])
        ids = inputs["token_ids"][:, : np.count_nonzero(inputs["token_ids"])]
        return {"probabilities": self._probabilities(tf.constant(ids)).numpy()}


@register_exporter("classifier")
class ClassifierExporter(Exporter):
    """A classifier's export: `classify` on one text's ids; quantized files scored by label agreement."""

    model_class = TextClassifier

    sequence_key = "classify"
    step_key = None
    sample_count = 200

    def graph(self, model, fixed_length=None, lstm_step="fused"):
        return ClassifierExport(model, fixed_length)

    def web_graph(self, model, config):
        # The text padded to a fixed length with a mask; every recurrence unrolled into gate ops.
        return ClassifierExport(model, self.unrolled_length(config), lstm_step="unrolled")

    def unrolled_length(self, config):
        return config.data.max_length or DEFAULT_UNROLLED_LENGTH

    def read_examples(self, path, config):
        return read_classifier_examples(path, config.data)

    def sample_inputs(self, graph, tokenizer, examples, config):
        return list(graph.sample_inputs(tokenizer, examples, self.sample_count, max_length=config.data.max_length,
                                        truncation=config.data.truncation))

    def metadata(self, graph, tokenizer, config):
        return {
            "special_ids": {"pad": 0},
            "labels": [str(label) for label in config.labels],
            "max_length": int(config.data.max_length),
            "truncation": config.data.truncation,
            "usage": "classify(token_ids) on one text's ids; probabilities follow the order of labels.",
        }

    def task_metric(self, quantized, reference, examples):
        texts = examples.texts[:500]
        float_labels = [label for label, _ in reference.classify(texts)]
        quantized_labels = [label for label, _ in quantized.classify(texts)]
        agreement = sum(a == b for a, b in zip(float_labels, quantized_labels, strict=True)) / len(texts)
        return {"texts": len(texts), "label_agreement": agreement}
