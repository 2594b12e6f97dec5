"""sequence_matmul: every time step times one kernel, as one 2-D product."""

import numpy as np

from seqtk.layers.sequence_matmul import sequence_matmul


class SequenceMatmulTest:
    def test_equals_a_product_per_time_step(self):
        rng = np.random.default_rng(0)
        inputs = rng.normal(size=(3, 5, 4)).astype("float32")
        kernel = rng.normal(size=(4, 6)).astype("float32")
        expected = np.einsum("btf,fu->btu", inputs, kernel)
        np.testing.assert_allclose(np.asarray(sequence_matmul(inputs, kernel)), expected, rtol=1e-5, atol=1e-5)
        assert np.asarray(sequence_matmul(inputs[:, 0], kernel)).shape == (3, 6)  # no time axis works too
