"""TFLite (LiteRT) export: builtin ops, fused LSTM, explicit-state signatures, quantization, verification."""

from seqtk.export.exporter import Exporter, make_exporter, register_exporter
from seqtk.export.litert_model import LiteRTModel
from seqtk.export.tflite_exporter import export_tflite

__all__ = ["Exporter", "LiteRTModel", "export_tflite", "make_exporter", "register_exporter"]
