import numpy as np
import tensorflow as tf
from ai_edge_litert.interpreter import Interpreter
from export_models import language_model
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

from seqtk.export.language_model_export import LanguageModelExport
from seqtk.export.tflite_conversion import signature_function
from seqtk.export.tied_embedding import share_tied_embeddings

VOCABULARY = 300
TOKENS = [3, 17, 150, 299, 42]


def int8_step(tie_weights):
    """(int8 `step` file straight from the converter, its input names, the Keras-side export)."""
    export = LanguageModelExport(language_model("gru", num_layers=1, tie_weights=tie_weights,
                                                vocabulary_size=VOCABULARY))
    (step,) = [s for s in export.signatures() if s.key == "step"]
    function = signature_function(step.key, step.function, step.input_signature)
    names = [spec.name for spec in step.input_signature]
    shapes = {spec.name: spec.shape.as_list() for spec in step.input_signature}
    rng = np.random.default_rng(0)

    def samples():
        for _ in range(64):
            inputs = {"token": rng.integers(0, VOCABULARY, (1,)).astype("int32")}
            yield {name: inputs.get(name, rng.normal(0, 0.5, shapes[name]).astype("float32")) for name in names}

    converter = tf.lite.TFLiteConverter.from_concrete_functions([function], tf.Module())
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8, tf.lite.OpsSet.TFLITE_BUILTINS]
    converter.representative_dataset = samples
    return converter.convert(), shapes, function


def int8_matrices(model_bytes):
    """Shapes of the int8 constant matrices, one entry per stored tensor."""
    model = flatbuffer_utils.convert_bytearray_to_object(bytearray(model_bytes))
    return sorted(
        tuple(int(d) for d in t.shape)
        for t in model.subgraphs[0].tensors
        if t.type == schema.TensorType.INT8 and len(t.shape) == 2 and model.buffers[t.buffer].data is not None
    )


def logits(model_bytes, shapes, token):
    inputs = {name: np.zeros(shape, "float32") for name, shape in shapes.items()}
    inputs["token"] = np.array([token], "int32")
    return Interpreter(model_content=model_bytes).get_signature_runner()(**inputs)["logits"]


class ShareTiedEmbeddingsTest:
    def test_the_tied_matrix_is_stored_once_and_logits_keep_to_keras(self):
        raw, shapes, function = int8_step(tie_weights=True)
        # The converter keeps the embedding twice: per tensor for GATHER, per row for FULLY_CONNECTED.
        assert int8_matrices(raw).count((VOCABULARY, 12)) == 2
        shared = share_tied_embeddings(raw)
        assert int8_matrices(shared).count((VOCABULARY, 12)) == 1
        assert len(raw) - len(shared) > VOCABULARY * 12 - 2000  # the copy, less the row scales added
        for token in TOKENS:
            states = {name: tf.zeros(shape) for name, shape in shapes.items() if name != "token"}
            expected = function(token=tf.constant([token]), **states)["logits"].numpy()
            before, after = logits(raw, shapes, token), logits(shared, shapes, token)
            spread = np.abs(expected).max()
            # Rows now come with their own scale: the result is as close to float as before (int8 noise).
            assert np.abs(after - expected).max() <= max(1.5 * np.abs(before - expected).max(), 0.05 * spread)
            assert np.corrcoef(after.ravel(), expected.ravel())[0, 1] > 0.99

    def test_an_untied_model_is_returned_unchanged(self):
        raw = int8_step(tie_weights=False)[0]
        assert share_tied_embeddings(raw) is raw
