"""Where a language model's training step goes: recurrence (forward loop, backward loop, weight gradient),
input projections and the output layer (embedding, logits, softmax, optimizer), before and after issue 16.

    python bench/lm_step_breakdown.py            # H=200 and H=650, about 4 minutes on 2 cores
    python bench/lm_step_breakdown.py --precision bfloat16   # as training.mixed_precision=bfloat16 trains on CPUs

In bfloat16 the step runs as a bfloat16 run on CPUs does: Keras' mixed_bfloat16 policy, no XLA for the step
(the loss compiled on its own), and the parts alone are timed outside XLA with bfloat16 tensors.

The model is bench/lm_speed.py's: 2-layer LSTM, vocabulary 10k, batch 20, BPTT 35, SGD with clipping, XLA.
Each part is timed alone (median of 20 runs after warm-up) with the shapes it has inside the step:
  - `step`: the whole training step, with the whole-sequence gradient (today) and with automatic
    differentiation (before);
  - `output layer`: the model without recurrent layers (embedding -> logits -> softmax cross-entropy,
    clipping, SGD), i.e. everything but the recurrence;
  - `recurrence forward`: one layer's loop over 35 steps, the input projection given;
  - `recurrence forward+backward`: that loop and its gradient; `backward` is the difference;
  - `weight gradient`: the one product dW = H_prev^T dZ that follows the backward loop;
  - `input projection`: one layer's X W_x forward and its two gradient products.
The parts overlap a little (both `step` rows include the output layer) and are not meant to add up exactly.
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import median_ms, print_table, write_results  # noqa: E402
from lm_speed import BATCH, BPTT, LAYERS, POLICIES, VOCAB, lm_data, time_keras  # noqa: E402

from seqtk.layers import RecurrentLayer  # noqa: E402
from seqtk.layers.recurrence import recurrence  # noqa: E402
from seqtk.models import LanguageModel  # noqa: E402
from seqtk.training.token_cross_entropy import TokenCrossEntropy  # noqa: E402


def call_ms(function, *args):
    """`median_ms` of `function(*args)`, its results read back so that the time holds the work."""
    return median_ms(lambda: tf.nest.map_structure(lambda t: t.numpy(), function(*args)))


def sgd():
    return keras.optimizers.SGD(1.0, global_clipnorm=5.0)


def step_ms(hidden, whole_sequence, precision="float32", steps=20):
    RecurrentLayer.whole_sequence_gradient = whole_sequence
    keras.mixed_precision.set_global_policy(POLICIES[precision])
    try:
        keras.utils.set_random_seed(0)
        model = LanguageModel(VOCAB, hidden, hidden, LAYERS)
        return 1000 * time_keras(model, *lm_data(steps), BATCH, steps, sgd(), TokenCrossEntropy(),
                                 precision == "float32")
    finally:
        RecurrentLayer.whole_sequence_gradient = True
        keras.mixed_precision.set_global_policy("float32")


def output_layer_ms(hidden, precision="float32", steps=20):
    keras.mixed_precision.set_global_policy(POLICIES[precision])
    try:
        keras.utils.set_random_seed(0)
        inputs = keras.Input((BPTT,), dtype="int32", batch_size=BATCH)
        x = keras.layers.Embedding(VOCAB, hidden)(inputs)
        model = keras.Model(inputs, keras.layers.Dense(VOCAB)(x))
        return 1000 * time_keras(model, *lm_data(steps), BATCH, steps, sgd(), TokenCrossEntropy(),
                                 precision == "float32")
    finally:
        keras.mixed_precision.set_global_policy("float32")


def recurrence_parts(hidden, precision="float32"):
    rng = np.random.default_rng(0)
    dtype = {"float32": tf.float32, "bfloat16": tf.bfloat16}[precision]
    jit = precision == "float32"  # the parts run where the step runs them: outside XLA in bfloat16

    def constant(array):
        return tf.cast(tf.constant(array.astype("float32")), dtype)

    xs = constant(rng.normal(size=(BPTT, BATCH, 4 * hidden)) * 0.3)
    kernel = constant(rng.normal(size=(hidden, 4 * hidden)) / np.sqrt(hidden))
    zeros = tf.zeros((BATCH, hidden), dtype)
    dz = constant(rng.normal(size=(BPTT * BATCH, 4 * hidden)))
    h_prev = constant(rng.normal(size=(BPTT * BATCH, hidden)))
    x = constant(rng.normal(size=(BPTT * BATCH, hidden)))

    @tf.function(jit_compile=jit)
    def forward(xs, kernel):
        return recurrence("lstm", xs, kernel, [zeros, zeros])[0]

    @tf.function(jit_compile=jit)
    def forward_backward(xs, kernel):
        with tf.GradientTape() as tape:
            tape.watch([xs, kernel])
            outputs = recurrence("lstm", xs, kernel, [zeros, zeros])[0]
        return tape.gradient(outputs, [xs, kernel])

    @tf.function(jit_compile=jit)
    def weight_gradient(h_prev, dz):
        return tf.matmul(h_prev, dz, transpose_a=True)

    @tf.function(jit_compile=jit)
    def input_projection(x, kernel):
        # Forward X W, then the input's gradient dZ W^T and the kernel's X^T dZ.
        forward = tf.matmul(x, kernel)
        return forward, tf.matmul(dz, kernel, transpose_b=True), tf.matmul(x, dz, transpose_a=True)

    forward_time = call_ms(forward, xs, kernel)
    both = call_ms(forward_backward, xs, kernel)
    return {"recurrence forward (1 layer)": forward_time,
            "recurrence forward+backward (1 layer)": both,
            "recurrence backward incl. weight gradient (1 layer)": both - forward_time,
            "weight gradient product (1 layer)": call_ms(weight_gradient, h_prev, dz),
            "input projection fwd+bwd (1 layer)": call_ms(input_projection, x, kernel)}


def main():
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--precision", default="float32", choices=sorted(POLICIES))
    precision = parser.parse_args().precision
    rows = []
    for hidden in (200, 650):
        parts = {"step, whole-sequence gradient (today)": step_ms(hidden, True, precision)}
        if precision == "float32":
            parts["step, automatic differentiation (before)"] = step_ms(hidden, False)
        parts["output layer: embedding, logits, softmax, SGD"] = output_layer_ms(hidden, precision)
        parts.update(recurrence_parts(hidden, precision))
        today = parts["step, whole-sequence gradient (today)"]
        for part, ms in parts.items():
            rows.append({"hidden": hidden, "part": part, "ms": round(ms, 1),
                         "share_of_step": round(ms / today, 3)})
        print_table(rows, ["hidden", "part", "ms", "share_of_step"])
    name = "lm_step_breakdown" if precision == "float32" else f"lm_step_breakdown_{precision}"
    write_results(name, rows, settings={"vocabulary": VOCAB, "batch": BATCH, "bptt": BPTT, "layers": LAYERS,
                                        "precision": precision, "xla": precision == "float32"})


if __name__ == "__main__":
    main()
