"""What a task's TFLite export supplies, and the exporters by task name (as OpenNMT-tf's `register_exporter`).

The registry is a leaf: the exporter modules import it and register themselves; `seqtk.export` imports them.
"""

from seqtk.export.export_examples import read_text_lines

_EXPORTERS = {}


def register_exporter(task):
    """Class decorator: registers an `Exporter` subclass for the seqtk task called `task` (`lm`, ...)."""

    def register(exporter_class):
        exporter_class.task = task
        _EXPORTERS[task] = exporter_class
        return exporter_class

    return register


def exporter_names():
    return sorted(_EXPORTERS)


def make_exporter(task):
    """The exporter of the task called `task` (the name `seqtk train` takes, as metadata.json records it)."""
    if task not in _EXPORTERS:
        raise ValueError(f"TFLite export handles the tasks {', '.join(sorted(_EXPORTERS))}; this model's task "
                         f"is {task!r}, which has no exporter.")
    return _EXPORTERS[task]()


def exporter_for_model(model, directory="this model"):
    """The exporter whose task trains models of `model`'s class (for a model saved without its task's name)."""
    for exporter_class in _EXPORTERS.values():
        if isinstance(model, exporter_class.model_class):
            return exporter_class()
    raise ValueError(f"{directory}: holds a {type(model).__name__}, which no seqtk task trains "
                     f"({', '.join(sorted(_EXPORTERS))}).")


class Exporter:
    """One task's part of `export_tflite`: its signatures (through its graph), sample inputs, state sizes,
    metadata and the metric that compares a quantized file with the float one.

    `export_tflite` does the rest for every task: conversion, quantization and calibration, the choice
    between recurrence variants, verification against Keras, the report and the atomic folder.

    Example:
    >>> exporter = make_exporter("classifier")
    >>> graph = exporter.graph(model)       # a ClassifierExport: signatures and Keras references
    >>> samples = exporter.sample_inputs(graph, tokenizer, examples, config)
    """

    task = None  # set by `register_exporter`: the task's one name, also metadata.json's `task`
    model_class = None  # the Keras model class the task trains
    sequence_key = None  # the signature that reads a whole sequence (variants of the recurrence race on it)
    step_key = None  # the one-token signature (variants of the LSTM step race on it); None: no step
    sample_count = 32  # real inputs per export, for verification and int8 calibration
    unrolls = True  # whether a GRU/SimpleRNN model can export unrolled at a fixed length (--loop unrolled)

    def prepare(self, config):
        """Reads what the graphs need from the model's config, before any is built."""

    def graph(self, model, fixed_length=None, lstm_step="fused"):
        """The task's signatures for `model` (`fixed_length`: unrolled GRU/SimpleRNN; `lstm_step`: the
        LSTM step as the fused op or as its gates)."""
        raise NotImplementedError

    def web_graph(self, model, config):
        """The task's graph for the web target (LiteRT.js): fixed input shapes, no fused LSTM op, no
        variable tensors, no WHILE loop."""
        raise ValueError(f"The web target does not export a {self.task} model: its exporter has no web graph.")

    def unrolled_length(self, config):
        """The sequence length an unrolled GRU/SimpleRNN graph is built for."""
        raise NotImplementedError

    def read_examples(self, path, config):
        """`ExportExamples` from `path` (plain lines, or the task's own format with its columns)."""
        return read_text_lines(path)

    def input_tokenizer(self, tokenizer):
        """The tokenizer that reads the examples (a translator's source side)."""
        return tokenizer

    def sample_inputs(self, graph, tokenizer, examples, config):
        """Real `(signature, inputs)` pairs to verify and calibrate on."""
        raise NotImplementedError

    def state_dims(self, graph):
        return graph.graph.state_dims

    def metadata(self, graph, tokenizer, config):
        """What metadata.json holds for this task: special ids, labels, limits, how to call the signatures."""
        raise NotImplementedError

    def task_metric(self, quantized, reference, examples):
        """The task's measure of a quantized file (`LiteRTModel`) against the float one."""
        raise NotImplementedError

    def keras_agreement(self, runner, graph, samples):
        """What the shipped file decides as Keras does, over the samples (a task that decodes inside the
        file has it; None otherwise)."""
        return None

