import numpy as np
import pytest
import tensorflow as tf
from export_models import converted, runner, translator

from seqtk.export.state_signatures import operator_names
from seqtk.export.translator_export import TranslatorExport


class TranslatorExportTest:
    @pytest.mark.parametrize(
        "cell_type,bidirectional,context_feeding,tie",
        [
            ("lstm", False, True, False),
            ("lstm", True, True, True),
            ("gru", True, False, True),
            ("gru", False, True, False),
        ],
    )
    def test_encode_and_decode_steps_match_keras(self, cell_type, bidirectional, context_feeding, tie):
        model = translator(cell_type, bidirectional, context_feeding, tie_embeddings=tie)
        export = TranslatorExport(model)
        model_bytes = converted(export)
        lite = runner(model_bytes, export)
        signatures = lite.interpreter.get_signature_list()
        assert signatures["encode"]["inputs"] == ["source_ids"]
        assert ("bridge" in signatures) == (cell_type == "lstm" and bidirectional)
        assert ("UNIDIRECTIONAL_SEQUENCE_LSTM" in operator_names(model_bytes)) == (cell_type == "lstm")
        source = np.array([[5, 3, 9, 14, 2, 7, 30, 1, 8, 12, 6]], "int32")
        states, context = model.encode(tf.constant(source))
        outputs = lite("encode", source_ids=source)
        if "bridge" in signatures:
            outputs = {**outputs, **lite("bridge", **{n: outputs[n] for n in signatures["bridge"]["inputs"]})}
        lite_states = {name: outputs[name] for name in export.state_names}
        for name, state in zip(export.state_names, states, strict=True):
            np.testing.assert_allclose(lite_states[name], state, atol=1e-5)
        extra = {}
        if context_feeding:
            np.testing.assert_allclose(outputs["context"], context, atol=1e-5)
            extra["context"] = outputs["context"]
        for token in (1, 17, 4):
            logits, states = model.decode(tf.constant([[token]]), states, context)
            outputs = lite("decode_step", token=np.array([token], "int32"), **lite_states, **extra)
            np.testing.assert_allclose(outputs["logits"], np.asarray(logits)[:, -1], atol=1e-4)
            lite_states = {name: outputs[name] for name in export.state_names}

    def test_unrolled_encoder_reverses_only_the_real_tokens(self):
        model = translator("gru", bidirectional=True)
        export = TranslatorExport(model, fixed_length=10)
        lite = runner(converted(export), export)
        source = np.array([[5, 3, 9, 14]], "int32")
        states, context = model.encode(tf.constant(source))
        outputs = lite("encode", source_ids=np.pad(source, ((0, 0), (0, 6))))
        np.testing.assert_allclose(outputs["h_1"], states[1], atol=1e-5)
        np.testing.assert_allclose(outputs["context"], context, atol=1e-5)
