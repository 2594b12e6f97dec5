"""TFLite (LiteRT) export: builtin ops, fused LSTM, explicit-state signatures, quantization, verification."""

# Names load on first use (lazy_loader): running an exported folder (`LiteRTModel`) starts no TensorFlow. The
# registry names come from `exporters`, which registers the task exporters.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "exporters": ["Exporter", "exporter_names", "make_exporter", "register_exporter"],
        "litert_model": ["LiteRTModel"],
        "tflite_exporter": ["export_tflite"],
    },
)
