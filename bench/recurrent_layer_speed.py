"""One recurrent layer's forward and backward pass: seqtk's forms against TensorFlow's fused LSTM kernel and
PyTorch, in float32 and bfloat16 (issue 30: the bound on bfloat16 LSTM training against PyTorch's).

    python bench/recurrent_layer_speed.py        # about 3 minutes on 2 CPU cores

The layer of bench/lm_speed.py's language model: batch 20, 35 steps, input features = units, LSTM and GRU at 200
and 650 units; each form runs the input projection, the recurrence, and the gradients of the input and of
every weight for a random loss on the outputs. Milliseconds, the best of `--rounds` interleaved medians of 20.
  - `seqtk_xla`: `RecurrentLayer` in a step compiled with XLA (float32; seqtk's float32 training);
  - `seqtk_unrolled`: the same step without XLA, the 35-step loop unrolled (what bfloat16 training on CPUs runs);
  - `seqtk_while`: without XLA, as a `tf.while_loop` (before issue 30, and float32 without XLA today);
  - `block_lstm`: TensorFlow's one fused CPU LSTM kernel, `BlockLSTMV2` (float32 and float16 only);
  - `torch`: `torch.nn.LSTM` / `GRU` (oneDNN's fused primitive), bfloat16 under `torch.autocast`.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import median_ms, print_table, write_results  # noqa: E402

import seqtk.layers.recurrence as recurrence_module  # noqa: E402
from seqtk.layers import RecurrentLayer  # noqa: E402
from seqtk.training.bfloat16_support import cpu_bfloat16_units  # noqa: E402

BATCH, STEPS = 20, 35
POLICY = {"float32": "float32", "bfloat16": "mixed_bfloat16"}


def seqtk_pass(cell, units, precision, jit_compile, unroll=True):
    layer = RecurrentLayer(cell, units, dtype=POLICY[precision])
    layer.build((BATCH, STEPS, units))
    x = tf.random.normal((BATCH, STEPS, units))
    probe = tf.random.normal((BATCH, STEPS, units))

    @tf.function(jit_compile=jit_compile)
    def run(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            outputs, _ = layer(x, training=True)
            loss = tf.reduce_sum(tf.cast(outputs, tf.float32) * probe)
        return tape.gradient(loss, [x, *layer.trainable_weights])

    def timed():
        limit, dtypes = recurrence_module.UNROLL_STEPS, recurrence_module.UNROLL_DTYPES
        # Each column is one form whatever seqtk picks for the type (it unrolls 16-bit loops only).
        recurrence_module.UNROLL_STEPS = limit if unroll else 0
        recurrence_module.UNROLL_DTYPES = (tf.float32, tf.bfloat16)
        try:
            run(x)  # traces with this setting on first call; later calls replay the trace
            return median_ms(lambda: [g.numpy() for g in run(x)])
        finally:
            recurrence_module.UNROLL_STEPS, recurrence_module.UNROLL_DTYPES = limit, dtypes

    return timed


def block_lstm_pass(units):
    x = tf.random.normal((STEPS, BATCH, units))
    weights = tf.random.normal((2 * units, 4 * units)) * 0.05
    bias, zeros, peephole = tf.zeros((4 * units,)), tf.zeros((BATCH, units)), tf.zeros((units,))
    probe = tf.random.normal((STEPS, BATCH, units))

    @tf.function
    def run(x, weights, bias):
        with tf.GradientTape() as tape:
            tape.watch([x, weights, bias])
            out = tf.raw_ops.BlockLSTMV2(seq_len_max=tf.constant(STEPS, tf.int64), x=x, cs_prev=zeros, h_prev=zeros,
                                         w=weights, wci=peephole, wcf=peephole, wco=peephole, b=bias, cell_clip=0.0,
                                         use_peephole=False)
            loss = tf.reduce_sum(out.h * probe)
        return tape.gradient(loss, [x, weights, bias])

    return lambda: median_ms(lambda: [g.numpy() for g in run(x, weights, bias)])


def torch_pass(cell, units, precision):
    import torch

    layer = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(units, units, batch_first=True)
    x = torch.randn(BATCH, STEPS, units, requires_grad=True)
    probe = torch.randn(BATCH, STEPS, units)

    def run():
        with torch.autocast("cpu", torch.bfloat16, enabled=precision == "bfloat16"):
            outputs, _ = layer(x)
            loss = (outputs.float() * probe).sum()
        layer.zero_grad()
        x.grad = None
        loss.backward()

    return lambda: median_ms(run)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    try:
        import torch  # noqa: F401
        with_torch = True
    except ImportError:
        with_torch = False
    rows = []
    for cell in ("lstm", "gru"):
        for units in (200, 650):
            for precision in ("float32", "bfloat16"):
                forms = {"seqtk_unrolled": seqtk_pass(cell, units, precision, False),
                         "seqtk_while": seqtk_pass(cell, units, precision, False, unroll=False)}
                if precision == "float32":
                    forms["seqtk_xla"] = seqtk_pass(cell, units, precision, True)
                    if cell == "lstm":
                        forms["block_lstm"] = block_lstm_pass(units)
                if with_torch:
                    forms["torch"] = torch_pass(cell, units, precision)
                best = dict.fromkeys(forms, float("inf"))
                for _ in range(args.rounds):
                    for name, timed in forms.items():
                        best[name] = min(best[name], timed())
                row = {"cell": cell, "units": units, "precision": precision}
                row.update({name: round(best.get(name, float("nan")), 2) for name in
                            ("seqtk_xla", "seqtk_unrolled", "seqtk_while", "block_lstm", "torch") if name in best})
                rows.append(row)
                print(row, flush=True)
    columns = ["cell", "units", "precision", "seqtk_xla", "seqtk_unrolled", "seqtk_while", "block_lstm", "torch"]
    print_table(rows, columns)
    print("milliseconds per forward and backward pass of one layer (batch 20, 35 steps)")
    write_results("recurrent_layer_speed", rows, cpu_bfloat16_units=cpu_bfloat16_units(),
                  settings={"batch": BATCH, "steps": STEPS, "rounds": args.rounds})


if __name__ == "__main__":
    keras.utils.set_random_seed(0)
    main()
