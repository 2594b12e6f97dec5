import numpy as np
import pytest
import tensorflow as tf
from export_models import language_model

from seqtk.export.language_model_export import LanguageModelExport
from seqtk.export.state_signatures import operator_names
from seqtk.export.tflite_conversion import convert, signature_function


def functions():
    export = LanguageModelExport(language_model("lstm", num_layers=1, hidden_dim=40))
    return export, {
        s.key: signature_function(s.key, s.function, s.input_signature) for s in export.signatures()
    }


class ConvertTest:
    def test_bad_quantization_arguments(self):
        _, functions_ = functions()
        with pytest.raises(ValueError, match="quantize must be one of"):
            convert(functions_, "int4")
        with pytest.raises(ValueError, match="representative data"):
            convert(functions_, "int8")

    def test_a_lone_signature_keeps_its_name(self):
        function = signature_function("double", lambda x: {"y": 2.0 * x}, [tf.TensorSpec([1, 3], name="x")])
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_content=convert({"double": function}))
        assert list(interpreter.get_signature_list()) == ["double"]
        np.testing.assert_allclose(
            interpreter.get_signature_runner("double")(x=np.ones((1, 3), "float32"))["y"], 2
        )

    def test_int8_needs_samples_for_every_signature(self):
        export, functions_ = functions()
        zeros = {
            n: np.zeros((1, d), "float32")
            for n, d in zip(export.state_names, export.graph.state_dims, strict=True)
        }

        def only_steps():
            for token in range(1, 20):
                yield "step", {"token": np.array([token], "int32"), **zeros}

        with pytest.raises(ValueError, match="no inputs for signature 'prefill'"):
            convert(functions_, "int8", only_steps)

    def test_float16_halves_the_weights(self):
        _, functions_ = functions()
        full, half = convert(functions_), convert(functions_, "float16")
        assert len(half) < 0.65 * len(full) and "DEQUANTIZE" in operator_names(half)
