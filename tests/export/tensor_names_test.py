import numpy as np
from ai_edge_litert.interpreter import Interpreter
from constant_dedup_test import run, unrolled_encoder_int8
from tensorflow.lite.tools import flatbuffer_utils

from seqtk.export.tensor_names import strip_tensor_names


class StripTensorNamesTest:
    def test_internal_names_go_signatures_and_outputs_stay(self):
        raw, names = unrolled_encoder_int8()
        stripped = strip_tensor_names(raw)
        assert len(stripped) < len(raw)
        model = flatbuffer_utils.convert_bytearray_to_object(bytearray(stripped))
        graph = model.subgraphs[0]
        boundary = set(graph.inputs) | set(graph.outputs)
        assert all(graph.tensors[i].name for i in boundary)
        assert not any(t.name for i, t in enumerate(graph.tensors) if i not in boundary)
        assert Interpreter(model_content=stripped).get_signature_list() == \
            Interpreter(model_content=raw).get_signature_list()
        expected, outputs = run(raw, names), run(stripped, names)
        for key, value in expected.items():
            np.testing.assert_array_equal(outputs[key], value)
        assert strip_tensor_names(stripped) is stripped
