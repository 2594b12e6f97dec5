"""Training and generation speed of seqtk against plain Keras, PyTorch and the machine's matmul peak.

    python bench/lm_speed.py                 # everything below, about 10 minutes on 2 cores
    python bench/lm_speed.py --steps 15      # quicker, noisier

PyTorch rows run when torch is installed (`pip install -e .[bench]`, torch 2.13 CPU); each table row is one
model trained the same way by each library, and `seqtk_over_torch` is the ratio of their tokens/s.

bfloat16 columns: `seqtk_bf16` trains as `training.mixed_precision=bfloat16` does on CPUs (Keras' mixed_bfloat16
policy: float32 weights, bfloat16 products; the step without XLA, the loss compiled with XLA), `torch_bf16`
under `torch.autocast("cpu", torch.bfloat16)`. `bf16_over_f32` is seqtk bfloat16 over seqtk's best float32,
`bf16_over_torch_bf16` seqtk bfloat16 over torch bfloat16. The JSON names the CPU's bfloat16 units.

Training (language model): 2-layer LSTM or GRU, embedding = hidden size, vocabulary 10k, batch 20, BPTT 35,
SGD with gradient clipping, one optimizer step per batch, tokens/s after warm-up; seqtk with and without XLA.
Each row measures seqtk and torch `--rounds` times, interleaved, and keeps each one's best (median step of a
round): this host is shared, and one library's slow round should not decide the ratio.
Translator: 1x512 GRU encoder-decoder (embedding 256, vocabularies 8k/6k, 20 source and 20 target tokens per
pair), batch 64, Adam; tokens/s counts target tokens.

FLOPs (`training_flops`): only the matrix products count. Forward, per token, a recurrent layer with `F` input
features, `H` units and `G = gates x H` (LSTM 4, GRU 3) does 2 (F + H) G (input and recurrent kernels) and the
output layer 2 H V. Backward does each product twice more (the input's gradient and the weight's gradient), so
training costs 3 x forward. Gate nonlinearities, embedding lookups and the softmax are O(H) or O(V) per token
and left out, so GFLOP/s is a lower bound of the work done. `share_of_peak` divides by `matmul_peak_gflops`,
chained 2048 x 2048 fp32 products measured at the start of the same run.

Generation: top-k sampling (k=20) with a 1x512 character LSTM (vocabulary 66, embedding 64; 500 tokens per
stream) and a 2x650 word LSTM (vocabulary 10k; 100 tokens per stream), at batch 1 and 64: the compiled loop as
released before issue 30 (`before`: the model's own call per step, XLA's sort for top-k, `stateless_categorical`)
and today's (`LanguageModelStep`, the sort-free cut-off and draw) with float32 and bfloat16 products.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import keras  # noqa: E402
import numpy as np  # noqa: E402
from common import matmul_peak, print_table, write_results  # noqa: E402

from seqtk.generation import TextGenerator, TopKSampler  # noqa: E402
from seqtk.models import LanguageModel, Seq2SeqTranslator  # noqa: E402
from seqtk.tokenizers import CharTokenizer  # noqa: E402
from seqtk.training.bfloat16_support import cpu_bfloat16_units  # noqa: E402
from seqtk.training.masked_sequence_loss import MaskedSequenceLoss  # noqa: E402
from seqtk.training.token_cross_entropy import TokenCrossEntropy  # noqa: E402

POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16"}

VOCAB, BATCH, BPTT, LAYERS = 10_000, 20, 35, 2
TRANSLATOR = {"source_vocabulary": 8000, "target_vocabulary": 6000, "embedding": 256, "hidden": 512,
              "batch": 64, "source_length": 20, "target_length": 20}
GATES = {"lstm": 4, "gru": 3}


def recurrent_flops(features, hidden, gates):
    return 2 * (features + hidden) * gates * hidden


def training_flops(forward_per_token):
    return 3 * forward_per_token


def lm_flops_per_token(cell, hidden):
    forward = LAYERS * recurrent_flops(hidden, hidden, GATES[cell]) + 2 * hidden * VOCAB
    return training_flops(forward)


def translator_flops_per_pair():
    t = TRANSLATOR
    encoder = t["source_length"] * recurrent_flops(t["embedding"], t["hidden"], 3)
    decoder = t["target_length"] * (recurrent_flops(t["embedding"], t["hidden"], 3) + 2 * t["hidden"] *
                                    t["target_vocabulary"])
    return training_flops(encoder + decoder)


class BatchTimer(keras.callbacks.Callback):
    """Seconds of each training batch, so warm-up batches can be left out."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_train_batch_begin(self, batch, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


def time_keras(model, inputs, targets, batch, steps, optimizer, loss, jit_compile, warmup=3):
    """Seconds per training step: the median of `steps` batches after `warmup` (compilation) batches."""
    model.compile(optimizer=optimizer, loss=loss, jit_compile=jit_compile)
    timer = BatchTimer()
    model.fit(inputs, targets, batch_size=batch, epochs=1, verbose=0, shuffle=False, callbacks=[timer],
              steps_per_epoch=warmup + steps)
    return float(np.median(timer.seconds[warmup:]))


def lm_data(steps):
    x = np.random.default_rng(0).integers(1, VOCAB, (BATCH * (steps + 3), BPTT)).astype("int32")
    return x, x


def time_seqtk_lm(cell, hidden, steps, jit_compile, precision="float32"):
    """As `seqtk train lm` trains: its loss, and under bfloat16 Keras' mixed_bfloat16 policy."""
    keras.mixed_precision.set_global_policy(POLICIES[precision])
    try:
        keras.utils.set_random_seed(0)
        model = LanguageModel(VOCAB, hidden, hidden, LAYERS, cell_type=cell)
        return time_keras(model, *lm_data(steps), BATCH, steps, keras.optimizers.SGD(1.0, global_clipnorm=5.0),
                          TokenCrossEntropy(), jit_compile)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def time_plain_keras_lm(cell, hidden, steps):
    keras.utils.set_random_seed(0)
    layer = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[cell]
    inputs = keras.Input((BPTT,), dtype="int32", batch_size=BATCH)
    x = keras.layers.Embedding(VOCAB, hidden)(inputs)
    for _ in range(LAYERS):
        x = layer(hidden, return_sequences=True)(x)
    model = keras.Model(inputs, keras.layers.Dense(VOCAB)(x))
    return time_keras(model, *lm_data(steps), BATCH, steps, keras.optimizers.SGD(1.0, global_clipnorm=5.0),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True), False)


def torch_step_seconds(model, batches, make_optimizer, loss_of, warmup=3, bf16=False):
    """Median seconds of a PyTorch training step (zero_grad, forward, backward, clip to 5, step); with `bf16`
    the forward pass and loss run under `torch.autocast("cpu", torch.bfloat16)`."""
    import torch

    optimizer = make_optimizer(model.parameters())
    seconds = []
    for batch in batches:
        start = time.perf_counter()
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = loss_of(model, batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        seconds.append(time.perf_counter() - start)
    return float(np.median(seconds[warmup:]))


def time_torch_lm(cell, hidden, steps, bf16=False):
    import torch

    torch.manual_seed(0)
    recurrent = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCAB, hidden)
            self.rnn = recurrent(hidden, hidden, LAYERS, batch_first=True)
            self.output = torch.nn.Linear(hidden, VOCAB)

        def forward(self, x):
            return self.output(self.rnn(self.embedding(x))[0])

    loss_fn = torch.nn.CrossEntropyLoss()
    batches = torch.randint(1, VOCAB, (steps + 3, BATCH, BPTT))
    return torch_step_seconds(Model(), batches, lambda p: torch.optim.SGD(p, lr=1.0),
                              lambda model, x: loss_fn(model(x).float().reshape(-1, VOCAB), x.reshape(-1)), bf16=bf16)


def translator_data(steps):
    t = TRANSLATOR
    rng = np.random.default_rng(0)
    pairs = t["batch"] * (steps + 3)
    source = rng.integers(1, t["source_vocabulary"], (pairs, t["source_length"])).astype("int32")
    target = rng.integers(1, t["target_vocabulary"], (pairs, t["target_length"] + 1)).astype("int32")
    return source, target[:, :-1], target[:, 1:]


def time_seqtk_translator(steps, jit_compile, precision="float32"):
    t = TRANSLATOR
    keras.mixed_precision.set_global_policy(POLICIES[precision])
    try:
        keras.utils.set_random_seed(0)
        model = Seq2SeqTranslator(t["source_vocabulary"], t["target_vocabulary"], t["embedding"], t["hidden"],
                                  num_layers=1, cell_type="gru")
        source, decoder_inputs, targets = translator_data(steps)
        return time_keras(model, (source, decoder_inputs), targets, t["batch"], steps,
                          keras.optimizers.Adam(0.002, global_clipnorm=5.0), MaskedSequenceLoss(), jit_compile)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def time_torch_translator(steps, bf16=False):
    """The same encoder-decoder in PyTorch: the encoder's final state starts the decoder (teacher forcing)."""
    import torch

    t = TRANSLATOR
    torch.manual_seed(0)

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.source_embedding = torch.nn.Embedding(t["source_vocabulary"], t["embedding"])
            self.encoder = torch.nn.GRU(t["embedding"], t["hidden"], batch_first=True)
            self.target_embedding = torch.nn.Embedding(t["target_vocabulary"], t["embedding"])
            self.decoder = torch.nn.GRU(t["embedding"], t["hidden"], batch_first=True)
            self.output = torch.nn.Linear(t["hidden"], t["target_vocabulary"])

        def forward(self, source, decoder_inputs):
            _, state = self.encoder(self.source_embedding(source))
            outputs, _ = self.decoder(self.target_embedding(decoder_inputs), state)
            return self.output(outputs)

    loss_fn = torch.nn.CrossEntropyLoss()
    source, decoder_inputs, targets = (torch.from_numpy(a.astype("int64")) for a in translator_data(steps))
    size = t["batch"]
    batches = [(source[i : i + size], decoder_inputs[i : i + size], targets[i : i + size])
               for i in range(0, len(source), size)]
    return torch_step_seconds(
        Model(), batches, lambda p: torch.optim.Adam(p, lr=0.002),
        lambda model, b: loss_fn(model(b[0], b[1]).float().reshape(-1, t["target_vocabulary"]), b[2].reshape(-1)),
        bf16=bf16)


def torch_available():
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def best_of_rounds(measures, rounds):
    """The best tokens/s of each measurement over `rounds` interleaved rounds: a passing load on a shared
    host then slows one round of one library rather than deciding the ratio."""
    best = {name: 0.0 for name in measures}
    for _ in range(rounds):
        for name, measure in measures.items():
            best[name] = max(best[name], measure())
    return best


def finish_row(row, best, flops, peak):
    best_jit = best["seqtk_xla"] >= best["seqtk_no_xla"]
    seqtk = best["seqtk_xla" if best_jit else "seqtk_no_xla"]
    row.update({name: round(value) for name, value in best.items()})
    row["best"] = "xla" if best_jit else "no xla"
    if "torch" in best:
        row["seqtk_over_torch"] = round(seqtk / best["torch"], 2)
    if "seqtk_bf16" in best:
        row["bf16_over_f32"] = round(best["seqtk_bf16"] / seqtk, 2)
        if "torch_bf16" in best:
            row["bf16_over_torch_bf16"] = round(best["seqtk_bf16"] / best["torch_bf16"], 2)
    gflops = seqtk * flops / 1e9
    row.update({"gflops": round(gflops, 1), "share_of_peak": round(gflops / peak, 3)})
    print(row, flush=True)
    return row


def training_rows(args, peak):
    rows = []
    with_torch = torch_available()
    bf16 = "bfloat16" in args.precisions
    tokens = BATCH * BPTT
    for cell in args.cells:
        for hidden in args.hidden:
            measures = {
                "seqtk_xla": lambda: tokens / time_seqtk_lm(cell, hidden, args.steps, True),
                "seqtk_no_xla": lambda: tokens / time_seqtk_lm(cell, hidden, args.steps, False),
            }
            if bf16:
                measures["seqtk_bf16"] = lambda: tokens / time_seqtk_lm(cell, hidden, args.steps, False, "bfloat16")
            if with_torch:
                measures["torch"] = lambda: tokens / time_torch_lm(cell, hidden, args.steps)
                if bf16:
                    measures["torch_bf16"] = lambda: tokens / time_torch_lm(cell, hidden, args.steps, bf16=True)
            row = {"task": f"train {LAYERS}x{cell} LM", "hidden": hidden}
            if args.keras:
                row["plain_keras"] = round(tokens / time_plain_keras_lm(cell, hidden, args.steps))
            best = best_of_rounds(measures, args.rounds)
            rows.append(finish_row(row, best, lm_flops_per_token(cell, hidden), peak))
    t = TRANSLATOR
    tokens = t["batch"] * t["target_length"]
    measures = {"seqtk_xla": lambda: tokens / time_seqtk_translator(args.steps, True),
                "seqtk_no_xla": lambda: tokens / time_seqtk_translator(args.steps, False)}
    if bf16:
        measures["seqtk_bf16"] = lambda: tokens / time_seqtk_translator(args.steps, False, "bfloat16")
    if with_torch:
        measures["torch"] = lambda: tokens / time_torch_translator(args.steps)
        if bf16:
            measures["torch_bf16"] = lambda: tokens / time_torch_translator(args.steps, bf16=True)
    row = {"task": "train 1x512 GRU translator", "hidden": t["hidden"]}
    rows.append(finish_row(row, best_of_rounds(measures, args.rounds),
                           translator_flops_per_pair() / t["target_length"], peak))
    return rows


class PreviousTopKSampler(TopKSampler):
    """Top-k sampling as released before issue 30: XLA sorts for the cut-off and draws with
    `stateless_categorical`."""

    def __call__(self, logits, seed):
        import tensorflow as tf

        logits = tf.cast(logits, tf.float32) / self.temperature
        threshold = tf.math.top_k(logits, k=min(self.k, logits.shape[-1])).values[:, -1:]
        logits = tf.where(logits < threshold, tf.fill(tf.shape(logits), -1e9), logits)
        return tf.cast(tf.random.stateless_categorical(logits, 1, seed=seed)[:, 0], tf.int32)


class PreviousTextGenerator(TextGenerator):
    """The generation loop as released before issue 30 (the model's own call per step), kept to measure
    today's against it in one run."""

    def _loop(self, max_length):
        import tensorflow as tf

        if max_length not in self._loops:
            model, sampler = self.model, self.sampler
            pad_id = self.tokenizer.pad_id

            def loop(logits, states, seed):
                batch = tf.shape(logits)[0]
                tokens = tf.TensorArray(tf.int32, size=max_length, element_shape=tf.TensorShape([None]))

                def body(step, logits, states, tokens):
                    logits = logits - 1e9 * tf.one_hot(pad_id, tf.shape(logits)[-1])
                    token = sampler(logits, seed=tf.stack([seed, step]))
                    tokens = tokens.write(step, token)
                    logits, states = model(token[:, None], states=states, return_state=True, training=False)
                    return step + 1, logits[:, 0], states, tokens

                _, _, _, tokens = tf.while_loop(lambda step, *_: step < max_length, body,
                                                (tf.constant(0), logits, states, tokens),
                                                maximum_iterations=max_length)
                return tf.reshape(tf.transpose(tokens.stack()), (batch, max_length))

            self._loops[max_length] = tf.function(loop, jit_compile=self.jit_compile, reduce_retracing=True)
        return self._loops[max_length]


GENERATORS = {  # column: how the generator is made
    "before": lambda model, tokenizer: PreviousTextGenerator(model, tokenizer, sampler=PreviousTopKSampler(k=20)),
    "float32": lambda model, tokenizer: TextGenerator(model, tokenizer, sampler="top_k", k=20),
    "bfloat16": lambda model, tokenizer: TextGenerator(model, tokenizer, sampler="top_k", k=20,
                                                       precision="bfloat16"),
}


GENERATION_MODELS = [  # name, vocabulary (None: the characters), embedding, hidden, layers, tokens per stream
    ("1x512 char LSTM", None, 64, 512, 1, 500),
    ("2x650 word LSTM, 10k words", 10000, 650, 650, 2, 100),
]


def generation_rows(rounds):
    """Top-k generation, tokens/s: the loop before issue 30 and today's in float32 and bfloat16, interleaved,
    best of `5 x rounds` runs each."""
    text = open(os.path.join(os.path.dirname(__file__), "..", "seqtk", "data", "bundled", "tinyshakespeare",
                             "input.txt")).read()
    tokenizer = CharTokenizer.train([text])  # the loop needs only its padding id for the word model
    rows = []
    for name, vocabulary, embedding, hidden, layers, length in GENERATION_MODELS:
        keras.utils.set_random_seed(0)
        model = LanguageModel(vocabulary or tokenizer.vocabulary_size, embedding_dim=embedding, hidden_dim=hidden,
                              num_layers=layers)
        for batch in (1, 64):
            prompts = [tokenizer.encode("ROMEO:")] * batch
            generators = {column: make(model, tokenizer) for column, make in GENERATORS.items()}
            for generator in generators.values():
                generator.generate_ids(prompts, max_length=length, seed=0)  # compiles
            best = dict.fromkeys(generators, float("inf"))
            # Short runs (0.02-0.3 s) and a shared host: many interleaved runs, so a passing load lands in all columns.
            for seed in range(1, 5 * rounds + 1):
                for column, generator in generators.items():
                    start = time.perf_counter()
                    generator.generate_ids(prompts, max_length=length, seed=seed)
                    best[column] = min(best[column], time.perf_counter() - start)
            row = {"task": f"generate {name}, top-k", "batch": batch}
            row.update({f"{column}_tokens_per_s": round(batch * length / seconds) for column, seconds in best.items()})
            for column in ("float32", "bfloat16"):
                row[f"{column}_over_before"] = round(row[f"{column}_tokens_per_s"] / row["before_tokens_per_s"], 2)
            rows.append(row)
            print(row, flush=True)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30, help="timed steps per model (after 3 warm-up)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="interleaved measurements of seqtk and torch per row; the best of each counts")
    parser.add_argument("--hidden", type=int, nargs="+", default=[200, 650])
    parser.add_argument("--cells", nargs="+", default=["lstm", "gru"], choices=sorted(GATES))
    parser.add_argument("--no-keras", dest="keras", action="store_false", help="skip the plain Keras rows")
    parser.add_argument("--skip", nargs="*", default=[], choices=["training", "generation"])
    parser.add_argument("--precisions", nargs="+", default=["float32", "bfloat16"], choices=sorted(POLICIES),
                        help="bfloat16 adds the seqtk_bf16 and torch_bf16 columns")
    args = parser.parse_args()

    peak = matmul_peak()
    units = cpu_bfloat16_units()
    print(f"matmul peak (chained 2048^2 fp32 products): {peak:.1f} GFLOP/s; CPU bfloat16 units: "
          f"{', '.join(units) or 'none'}", flush=True)
    training = training_rows(args, peak) if "training" not in args.skip else []
    generation = generation_rows(args.rounds) if "generation" not in args.skip else []
    if training:
        print_table(training, ["task", "hidden", "seqtk_xla", "seqtk_no_xla", "plain_keras", "torch",
                               "seqtk_over_torch", "seqtk_bf16", "torch_bf16", "bf16_over_f32",
                               "bf16_over_torch_bf16", "gflops", "share_of_peak"])
    if generation:
        print_table(generation,
                    ["task", "batch", "before_tokens_per_s", "float32_tokens_per_s", "bfloat16_tokens_per_s",
                     "float32_over_before", "bfloat16_over_before"])
    print(f"tokens/s; matmul peak {peak:.1f} GFLOP/s")
    write_results("lm_speed", training + generation, matmul_peak_gflops=round(peak, 1), cpu_bfloat16_units=units,
                  settings={"vocabulary": VOCAB, "batch": BATCH, "bptt": BPTT, "layers": LAYERS,
                            "steps": args.steps, "rounds": args.rounds, "translator": TRANSLATOR})


if __name__ == "__main__":
    main()
