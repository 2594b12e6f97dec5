"""Where an LSTM's training time goes, and what a whole-sequence gradient saves (issue 16, first measurement).

    python bench/recurrent_gradient.py           # about 1 minute on 2 CPU cores

The recurrence of one LSTM layer (batch 20, 35 steps, the input projection given), forward and backward, timed
two ways, each with and without XLA:
  - `autodiff`: TensorFlow differentiates the forward `while_loop` (what `RecurrentLayer` does today): the
    backward loop accumulates the recurrent kernel's gradient step by step;
  - `custom`: a hand-written gradient: the backward loop computes only the gate gradients dz_t and
    dh_{t-1} = dz_t W^T; the kernel's gradient is one product after it, dW = H_prev^T dZ over all steps.
Both are checked against the plain autodiff gradients. FLOPs: forward 2 B H 4H per step, backward dh as much,
dW as much: 3 x 2 B H 4H x T. The machine's matmul peak (chained 2048^2 fp32 products) is measured in the same run.
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import matmul_peak, print_table, write_results  # noqa: E402

def lstm_forward(xs, kernel, h0, c0):
    """The recurrence over time-major projected inputs `xs (T, B, 4H)`: every step's h, c and gate activations."""
    steps = tf.shape(xs)[0]
    arrays = [tf.TensorArray(xs.dtype, size=steps) for _ in range(3)]

    def body(t, h, c, hs, cs, gates):
        i, f, g, o = tf.split(xs[t] + tf.matmul(h, kernel), 4, axis=1)
        i, f, g, o = tf.sigmoid(i), tf.sigmoid(f), tf.tanh(g), tf.sigmoid(o)
        c = f * c + i * g
        h = o * tf.tanh(c)
        return t + 1, h, c, hs.write(t, h), cs.write(t, c), gates.write(t, tf.concat([i, f, g, o], 1))

    _, h, c, hs, cs, gates = tf.while_loop(lambda t, *rest: t < steps, body, [0, h0, c0, *arrays],
                                           maximum_iterations=steps)
    return hs.stack(), cs.stack(), gates.stack(), h, c


@tf.custom_gradient
def fast_lstm(xs, kernel, h0, c0):
    """`(hs, h, c)` with a whole-sequence gradient: per-step gate gradients in the loop, dW after it."""
    hs, cs, gates, h, c = lstm_forward(xs, kernel, h0, c0)

    def gradient(dhs, dh_last, dc_last):
        steps, units = tf.shape(xs)[0], tf.shape(kernel)[0]
        c_prev = tf.concat([c0[None], cs[:-1]], 0)
        h_prev = tf.concat([h0[None], hs[:-1]], 0)
        kernel_t = tf.transpose(kernel)

        def body(t, dh_next, dc_next, dzs):
            i, f, g, o = tf.split(gates[t], 4, axis=1)
            tanh_c = tf.tanh(cs[t])
            dh = dhs[t] + dh_next
            dc = dc_next + dh * o * (1 - tanh_c * tanh_c)
            dz = tf.concat([dc * g * i * (1 - i), dc * c_prev[t] * f * (1 - f), dc * i * (1 - g * g),
                            dh * tanh_c * o * (1 - o)], 1)
            return t - 1, tf.matmul(dz, kernel_t), dc * f, dzs.write(t, dz)

        _, dh0, dc0, dzs = tf.while_loop(lambda t, *rest: t >= 0, body,
                                         [steps - 1, dh_last, dc_last, tf.TensorArray(xs.dtype, size=steps)],
                                         maximum_iterations=steps)
        dz = dzs.stack()
        dkernel = tf.matmul(tf.reshape(h_prev, [-1, units]), tf.reshape(dz, [-1, 4 * units]), transpose_a=True)
        return dz, dkernel, dh0, dc0

    return (hs, h, c), gradient


def autodiff_lstm(xs, kernel, h0, c0):
    hs, _, _, h, c = lstm_forward(xs, kernel, h0, c0)
    return hs, h, c


def measure(units, steps=35, batch=20, repeats=20):
    rng = np.random.default_rng(0)
    xs = tf.constant(rng.normal(size=(steps, batch, 4 * units)).astype("float32") * 0.3)
    kernel = tf.Variable((rng.normal(size=(units, 4 * units)) / np.sqrt(units)).astype("float32"))
    h0 = tf.constant(rng.normal(size=(batch, units)).astype("float32") * 0.1)
    c0 = tf.constant(rng.normal(size=(batch, units)).astype("float32") * 0.1)
    dy = tf.constant(rng.normal(size=(steps, batch, units)).astype("float32"))

    def make(fn, jit):
        @tf.function(jit_compile=jit)
        def step(xs, h0, c0):
            with tf.GradientTape() as tape:
                tape.watch([xs, h0, c0])
                hs, h, c = fn(xs, tf.identity(kernel), h0, c0)
                loss = tf.reduce_sum(hs * dy) + tf.reduce_sum(h) + tf.reduce_sum(c * 0.5)
            return tape.gradient(loss, [xs, kernel, h0, c0])
        return step

    reference = make(autodiff_lstm, False)(xs, h0, c0)
    flops = 3 * 2 * batch * units * 4 * units * steps
    rows = []
    for name, fn in (("autodiff", autodiff_lstm), ("custom", fast_lstm)):
        for jit in (False, True):
            step = make(fn, jit)
            gradients = step(xs, h0, c0)
            error = max(float(tf.reduce_max(tf.abs(a - b))) for a, b in zip(gradients, reference))
            for _ in range(3):
                step(xs, h0, c0)
            start = time.perf_counter()
            for _ in range(repeats):
                step(xs, h0, c0)[0].numpy()
            seconds = (time.perf_counter() - start) / repeats
            rows.append({"units": units, "gradient": name, "xla": jit, "ms": round(seconds * 1000, 2),
                         "gflops": round(flops / seconds / 1e9, 1), "max_gradient_difference": float(f"{error:.2e}")})
    return rows


def main():
    peak = matmul_peak()
    rows = [row for units in (200, 650) for row in measure(units)]
    for row in rows:
        row["share_of_peak"] = round(row["gflops"] / peak, 3)
    print_table(rows, list(rows[0]))
    print(f"matmul peak (chained 2048^2 fp32 products): {peak:.1f} GFLOP/s")
    write_results("recurrent_gradient_lstm", rows, matmul_peak_gflops=round(peak, 1))


if __name__ == "__main__":
    main()
