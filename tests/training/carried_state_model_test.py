"""CarriedStateModel: the final state of a batch starts the next, so windows read in turn equal one long read."""

import numpy as np

from seqtk.models import LanguageModel
from seqtk.training.carried_state_model import CarriedStateModel


def _model():
    return LanguageModel(vocabulary_size=15, embedding_dim=6, hidden_dim=8, num_layers=2, seed=5)


class CarriedStateModelTest:
    def test_consecutive_windows_read_as_one_stream_and_a_reset_starts_afresh(self):
        model = _model()
        ids = np.random.default_rng(1).integers(1, 15, size=(2, 12)).astype(np.int32)
        whole = np.asarray(model(ids, training=False))
        trainer = CarriedStateModel(model, batch_size=2)
        halves = [np.asarray(trainer(ids[:, :6], training=False)), np.asarray(trainer(ids[:, 6:], training=False))]
        np.testing.assert_allclose(np.concatenate(halves, axis=1), whole, rtol=1e-5, atol=1e-5)
        trainer.reset_states()
        np.testing.assert_allclose(np.asarray(trainer(ids[:, 6:], training=False)),
                                   np.asarray(model(ids[:, 6:], training=False)), rtol=1e-5, atol=1e-5)

    def test_without_carry_each_window_starts_from_zeros(self):
        model = _model()
        ids = np.random.default_rng(2).integers(1, 15, size=(2, 6)).astype(np.int32)
        trainer = CarriedStateModel(model, batch_size=2, carry_state=False)
        trainer(ids, training=False)
        np.testing.assert_allclose(np.asarray(trainer(ids, training=False)), np.asarray(model(ids, training=False)),
                                   rtol=1e-6)
        assert trainer.carried == []

