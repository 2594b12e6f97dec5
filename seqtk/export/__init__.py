"""TFLite (LiteRT) export: builtin ops, fused LSTM, explicit-state signatures, quantization, verification."""

# The task exporters register themselves in `exporter` (a leaf) as they are imported here.
from seqtk.export import classifier_export, language_model_export, tagger_export, translator_export  # noqa: F401
from seqtk.export.exporter import Exporter, exporter_names, make_exporter, register_exporter
from seqtk.export.litert_model import LiteRTModel
from seqtk.export.run_litert import run_litert
from seqtk.export.tflite_exporter import export_tflite

__all__ = ["Exporter", "LiteRTModel", "export_tflite", "exporter_names", "make_exporter", "register_exporter",
           "run_litert"]
