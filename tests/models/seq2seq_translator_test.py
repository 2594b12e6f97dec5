import keras
import numpy as np
import pytest

from seqtk.models.seq2seq_translator import Seq2SeqTranslator, reverse_padded

SOURCE = np.array([[5, 9, 4, 7, 0, 0], [3, 8, 8, 2, 6, 1]], dtype="int32")
DECODER_INPUTS = np.array([[2, 11, 12, 13], [2, 14, 0, 0]], dtype="int32")
VARIANTS = [
    dict(),
    dict(cell_type="gru", bidirectional=True),
    dict(bidirectional=True, context_feeding=True, tie_embeddings=True),
    dict(cell_type="simple_rnn", reverse_source=True, context_feeding=True),
]


def small(**kwargs):
    return Seq2SeqTranslator(20, 16, embedding_dim=8, hidden_dim=12, num_layers=2, seed=3, **kwargs)


def test_reverse_padded_reverses_only_the_real_tokens():
    expected = [[7, 4, 9, 5, 0, 0], [1, 6, 2, 8, 8, 3]]
    np.testing.assert_array_equal(np.asarray(reverse_padded(SOURCE)), expected)


class Seq2SeqTranslatorTest:
    @pytest.mark.parametrize("kwargs", VARIANTS)
    def test_a_pair_gives_the_same_logits_alone_and_inside_a_padded_batch(self, kwargs):
        model = small(**kwargs)
        batch = np.asarray(model((SOURCE, DECODER_INPUTS)))
        alone = np.asarray(model((SOURCE[:1, :4], DECODER_INPUTS[:1])))
        np.testing.assert_allclose(alone[0], batch[0], atol=1e-5)
        short_target = np.asarray(model((SOURCE[1:], DECODER_INPUTS[1:, :2])))
        np.testing.assert_allclose(short_target[0], batch[1, :2], atol=1e-5)

    @pytest.mark.parametrize("kwargs", VARIANTS)
    def test_step_by_step_decoding_equals_teacher_forcing(self, kwargs):
        model = small(**kwargs)
        forced = np.asarray(model((SOURCE, DECODER_INPUTS[:1].repeat(2, 0))))
        states, context = model.encode(SOURCE)
        for step in range(DECODER_INPUTS.shape[1]):
            logits, states = model.decode(DECODER_INPUTS[:1, step : step + 1].repeat(2, 0), states, context)
            np.testing.assert_allclose(np.asarray(logits)[:, 0], forced[:, step], atol=1e-5)

    def test_reverse_source_is_the_same_network_reading_the_reversed_sentence(self):
        forward = small()
        reverse = small(reverse_source=True)
        forward((SOURCE, DECODER_INPUTS))
        reverse((SOURCE, DECODER_INPUTS))
        reverse.set_weights(forward.get_weights())
        reversed_source = np.asarray(reverse_padded(SOURCE))
        np.testing.assert_allclose(np.asarray(reverse((SOURCE, DECODER_INPUTS))),
                                   np.asarray(forward((reversed_source, DECODER_INPUTS))), atol=1e-6)

    def test_bidirectional_encoder_bridges_each_state_to_the_decoder_size(self):
        model = small(bidirectional=True)
        states, context = model.encode(SOURCE)
        assert [tuple(s.shape) for s in states] == [(2, 12)] * 4
        assert tuple(context.shape) == (2, 24)
        assert len(model.bridge) == 4

    def test_tied_embeddings_share_one_matrix(self):
        tied = small(tie_embeddings=True, context_feeding=True)
        untied = small(context_feeding=True)
        tied((SOURCE, DECODER_INPUTS))
        untied((SOURCE, DECODER_INPUTS))
        assert tied.count_params() < untied.count_params()
        names = [w.path for w in tied.weights]
        assert not any("output_kernel" in n for n in names) and any("output_projection" in n for n in names)

    def test_save_and_load_round_trip(self, tmp_path):
        model = small(bidirectional=True, context_feeding=True, reverse_source=True)
        expected = np.asarray(model((SOURCE, DECODER_INPUTS)))
        model.save(tmp_path / "model.keras")
        loaded = keras.saving.load_model(tmp_path / "model.keras")
        np.testing.assert_allclose(np.asarray(loaded((SOURCE, DECODER_INPUTS))), expected, atol=1e-6)
        assert loaded.get_config()["reverse_source"] and loaded.get_config()["context_feeding"]

    def test_hidden_dim_is_one_size(self):
        with pytest.raises(ValueError, match=r"hidden_dim must be a positive integer"):
            Seq2SeqTranslator(10, 10, hidden_dim=[8, 8])


def test_a_saved_model_directory_leaves_the_optimizer_state_out(tmp_path):
    from seqtk.models.model_directory import save_model_directory
    from seqtk.tasks import load_model_directory
    from seqtk.tokenizers import WordTokenizer
    from seqtk.training.masked_sequence_loss import MaskedSequenceLoss

    model = small(bidirectional=True)
    model.compile(optimizer=keras.optimizers.Adam(), loss=MaskedSequenceLoss())
    model.fit((SOURCE, DECODER_INPUTS), DECODER_INPUTS, verbose=0)
    expected = np.asarray(model((SOURCE, DECODER_INPUTS)))
    save_model_directory(tmp_path / "saved", model, WordTokenizer(["a"]))
    model.save(tmp_path / "with_optimizer.keras")
    loaded, _, _ = load_model_directory(tmp_path / "saved")
    np.testing.assert_allclose(np.asarray(loaded((SOURCE, DECODER_INPUTS))), expected, atol=1e-6)
    assert getattr(loaded, "optimizer", None) is None
    saved_size = (tmp_path / "saved" / "model.keras").stat().st_size
    assert saved_size < 0.6 * (tmp_path / "with_optimizer.keras").stat().st_size
