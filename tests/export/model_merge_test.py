"""Single-signature TFLite files joined into one: every signature runs as before, shared weights stored once."""

import numpy as np
import pytest
import tensorflow as tf

from seqtk.export.model_merge import merge_models
from seqtk.export.tflite_conversion import convert, signature_function

WEIGHTS = np.random.RandomState(0).randn(64, 64).astype("float32")


def _convert(function, key):
    spec = [tf.TensorSpec((1, 64), tf.float32, name="x")]
    return convert({key: signature_function(key, function, spec)})


def _run(model_bytes, key, x):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_content=model_bytes)
    runner = interpreter.get_signature_runner(key)
    return next(iter(runner(x=x).values()))


class MergeModelsTest:
    def test_both_signatures_run_and_the_shared_kernel_is_stored_once(self):
        kernel = tf.constant(WEIGHTS)

        def project(x):
            return {"y": tf.matmul(x, kernel)}

        def project_relu(x):
            return {"y": tf.nn.relu(tf.matmul(x, kernel))}

        first, second = _convert(project, "project"), _convert(project_relu, "project_relu")
        merged = merge_models({"project": first, "project_relu": second})
        x = np.random.RandomState(1).randn(1, 64).astype("float32")
        np.testing.assert_allclose(_run(merged, "project", x), x @ WEIGHTS, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(_run(merged, "project_relu", x), np.maximum(x @ WEIGHTS, 0), rtol=1e-4, atol=1e-4)
        assert len(merged) < len(first) + len(second) - WEIGHTS.nbytes // 2  # one copy of the 16 KB kernel

    def test_a_file_with_several_signatures_is_refused(self):
        class Module(tf.Module):
            @tf.function(input_signature=[tf.TensorSpec((1,), tf.float32)])
            def a(self, x):
                return {"y": x + 1}

            @tf.function(input_signature=[tf.TensorSpec((1,), tf.float32)])
            def b(self, x):
                return {"y": x * 2}

        module = Module()
        converter = tf.lite.TFLiteConverter.from_concrete_functions(
            [module.a.get_concrete_function(), module.b.get_concrete_function()], module)
        with pytest.raises(ValueError, match="one signature each; 'both' has 2"):
            merge_models({"both": converter.convert()})
