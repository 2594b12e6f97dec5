import numpy as np
import pytest

from seqtk.training.masked_sequence_loss import MaskedSequenceLoss


def reference(targets, logits, smoothing):
    log_probs = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    losses = []
    for row in range(targets.shape[0]):
        for step in range(targets.shape[1]):
            if targets[row, step]:
                nll = -log_probs[row, step, targets[row, step]]
                losses.append((1 - smoothing) * nll - smoothing * log_probs[row, step].mean())
    return np.mean(losses)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_mean_over_real_tokens_against_numpy(smoothing):
    rng = np.random.default_rng(0)
    targets = np.array([[3, 4, 1, 0, 0], [2, 2, 2, 2, 1]])
    logits = rng.normal(size=(2, 5, 6)).astype("float32")
    loss = float(MaskedSequenceLoss(label_smoothing=smoothing)(targets, logits))
    assert loss == pytest.approx(reference(targets, logits, smoothing), rel=1e-5)


def test_padding_logits_never_matter():
    rng = np.random.default_rng(1)
    targets = np.array([[3, 4, 0, 0]])
    logits = rng.normal(size=(1, 4, 6)).astype("float32")
    changed = logits.copy()
    changed[:, 2:] = 100.0
    loss = MaskedSequenceLoss(0.1)
    assert float(loss(targets, logits)) == pytest.approx(float(loss(targets, changed)), rel=1e-6)


def test_invalid_smoothing_is_a_clear_error():
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\)"):
        MaskedSequenceLoss(1.0)


def test_config_round_trip():
    loss = MaskedSequenceLoss.from_config(MaskedSequenceLoss(0.2).get_config())
    assert loss.label_smoothing == 0.2
