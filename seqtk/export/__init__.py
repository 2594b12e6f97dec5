"""TFLite (LiteRT) export: builtin ops, fused LSTM, explicit-state signatures, quantization, verification."""

from seqtk.export.litert_model import LiteRTModel
from seqtk.export.tflite_exporter import export_tflite, task_export

__all__ = ["LiteRTModel", "export_tflite", "task_export"]
