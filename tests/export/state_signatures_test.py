import numpy as np
import pytest
from export_models import converted, language_model, runner
from tensorflow.lite.python import schema_py_generated as schema
from tensorflow.lite.tools import flatbuffer_utils

from seqtk.export.language_model_export import LanguageModelExport
from seqtk.export.model_merge import merge_models
from seqtk.export.state_signatures import SignaturePlan, operator_names, rename_signature, rewrite_signatures
from seqtk.export.tflite_conversion import convert, signature_function


def raw_lm_file():
    export = LanguageModelExport(language_model("lstm", num_layers=1))
    signatures = export.signatures()
    functions = {s.key: signature_function(s.key, s.function, s.input_signature) for s in signatures}
    return export, convert(functions)


class RewriteSignaturesTest:
    def test_without_the_rewrite_the_fused_op_hides_its_cell_state(self):
        export, model_bytes = raw_lm_file()
        outputs = runner(model_bytes).interpreter.get_signature_list()["step"]["outputs"]
        assert "c_0" not in outputs and "h_0" in outputs
        rewritten = rewrite_signatures(model_bytes, {"step": SignaturePlan(outputs=["c_0"])})
        assert "c_0" in runner(rewritten).interpreter.get_signature_list()["step"]["outputs"]

    def test_cell_clip_is_removed(self):
        _, model_bytes = raw_lm_file()

        def clips(data):
            model = flatbuffer_utils.convert_bytearray_to_object(bytearray(data))
            return [
                op.builtinOptions.cellClip
                for sg in model.subgraphs
                for op in sg.operators
                if isinstance(op.builtinOptions, schema.UnidirectionalSequenceLSTMOptionsT)
            ]

        assert clips(model_bytes) == [10.0, 10.0]  # what the converter writes for a Keras LSTM
        assert clips(rewrite_signatures(model_bytes, {})) == [0.0, 0.0]

    def test_reset_inputs_leave_the_signature_and_start_at_zero(self):
        export, model_bytes = raw_lm_file()
        rewritten = rewrite_signatures(
            model_bytes, {"prefill": SignaturePlan(outputs=["c_0"], reset=["h_0", "c_0"])}
        )
        lite = runner(rewritten)
        assert lite.interpreter.get_signature_list()["prefill"]["inputs"] == ["tokens"]
        assert "FILL" in operator_names(rewritten)
        ids = np.array([[4, 9, 1, 7, 7, 2, 3, 5]], "int32")
        first = lite("prefill", tokens=ids)
        lite("prefill", tokens=ids[:, ::-1].copy())
        again = lite("prefill", tokens=ids)
        for name in ("logits", "h_0", "c_0"):
            np.testing.assert_array_equal(again[name], first[name])
        zeros = {
            n: np.zeros((1, d), "float32")
            for n, d in zip(export.state_names, export.graph.state_dims, strict=True)
        }
        expected = export.keras_reference("prefill", {"tokens": ids, **zeros})
        np.testing.assert_allclose(first["c_0"], expected["c_0"], atol=1e-5)

    def test_unknown_signature_or_input_is_an_error(self):
        _, model_bytes = raw_lm_file()
        with pytest.raises(ValueError, match="no signature"):
            rewrite_signatures(model_bytes, {"decode": SignaturePlan()})
        with pytest.raises(ValueError, match="no input 'h_9'"):
            rewrite_signatures(model_bytes, {"step": SignaturePlan(outputs=["h_9"])})

    def test_rename_and_operator_names(self):
        _, model_bytes = raw_lm_file()
        renamed = rename_signature(model_bytes, "step", "next_token")
        assert set(runner(renamed).interpreter.get_signature_list()) == {"next_token", "prefill"}
        assert operator_names(model_bytes) >= {"GATHER", "FULLY_CONNECTED", "UNIDIRECTIONAL_SEQUENCE_LSTM"}


class MergeModelsTest:
    def test_single_signature_files_join_with_shared_weights(self):
        export = LanguageModelExport(language_model("lstm"))
        signatures = export.signatures()
        parts = {}
        for s in signatures:
            parts[s.key] = convert({s.key: signature_function(s.key, s.function, s.input_signature)})
        merged = rewrite_signatures(merge_models(parts), {s.key: s.plan for s in signatures})
        together = converted(export)
        assert len(merged) < 1.15 * len(together) < sum(len(p) for p in parts.values())
        lite, reference = runner(merged, export), runner(together, export)
        inputs = {"token": np.array([3], "int32"), **lite.zero_states()}
        for name, value in reference("step", **inputs).items():
            np.testing.assert_allclose(lite("step", **inputs)[name], value, atol=1e-6)

    def test_files_with_several_signatures_are_refused(self):
        with pytest.raises(ValueError, match="one signature each"):
            merge_models({"both": converted(LanguageModelExport(language_model("gru")))})
