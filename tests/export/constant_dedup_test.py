import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from export_models import translator
from tensorflow.lite.tools import flatbuffer_utils

from seqtk.export.constant_dedup import dedupe_constants
from seqtk.export.tflite_conversion import signature_function
from seqtk.export.translator_export import TranslatorExport

LENGTH = 8


def unrolled_encoder_int8():
    """The int8 `encode` file of a GRU translator unrolled over 8 steps, straight from the converter."""
    export = TranslatorExport(translator("gru"), fixed_length=LENGTH)
    (encode,) = [s for s in export.signatures() if s.key == "encode"]
    function = signature_function(encode.key, encode.function, encode.input_signature)
    rng = np.random.default_rng(0)
    names = [spec.name for spec in encode.input_signature]

    def samples():
        for _ in range(24):
            inputs = {"source_ids": rng.integers(3, 40, (1, LENGTH)).astype("int32")}
            yield {name: inputs.get(name, np.zeros((1, 16), "float32")) for name in names}

    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], tf.Module())
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8, tf.lite.OpsSet.TFLITE_BUILTINS]
    converter.representative_dataset = samples
    return converter.convert(), names


def constants_sharing_a_buffer(model_bytes):
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
    buffers = [t.buffer for t in model.subgraphs[0].tensors if model.buffers[t.buffer].data is not None]
    return len(buffers) - len(set(buffers))


def run(model_bytes, names):
    inputs = {"source_ids": np.array([[5, 9, 13, 2, 0, 0, 0, 0]], "int32")}
    inputs = {name: inputs.get(name, np.zeros((1, 16), "float32")) for name in names}
    return Interpreter(model_content=model_bytes).get_signature_runner()(**inputs)


class DedupeConstantsTest:
    def test_one_tensor_per_constant_and_the_same_outputs(self):
        raw, names = unrolled_encoder_int8()
        # The converter gives every unrolled step its own tensor (with its quantization) of one bias.
        assert constants_sharing_a_buffer(raw) >= LENGTH - 1
        deduped = dedupe_constants(raw)
        assert constants_sharing_a_buffer(deduped) == 0
        assert len(deduped) < len(raw)
        expected, outputs = run(raw, names), run(deduped, names)
        assert sorted(outputs) == sorted(expected)
        for key, value in expected.items():
            np.testing.assert_array_equal(outputs[key], value)

    def test_a_file_without_duplicates_is_returned_unchanged(self):
        deduped = dedupe_constants(unrolled_encoder_int8()[0])
        assert dedupe_constants(deduped) is deduped

    def test_tensors_without_data_share_the_empty_buffer(self):
        raw, names = unrolled_encoder_int8()
        model = flatbuffer_utils.convert_bytearray_to_object(bytearray(raw))
        assert sum(1 for b in model.buffers if b.data is None) > LENGTH  # one per activation tensor
        deduped = flatbuffer_utils.convert_bytearray_to_object(bytearray(dedupe_constants(raw)))
        assert [i for i, b in enumerate(deduped.buffers) if b.data is None] == [0]
        assert all(deduped.buffers[m.buffer].data is not None for m in deduped.metadata)
