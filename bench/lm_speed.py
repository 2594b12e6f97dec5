"""Training and generation speed of the seqtk language model against plain Keras and PyTorch.

    python bench/lm_speed.py                 # H=200 and H=650, generation at batch 1 and 64
    python bench/lm_speed.py --steps 20      # quicker, noisier

Training: 2-layer LSTM language model, vocabulary 10k, batch 20, BPTT 35, SGD, one optimizer step per
batch, tokens/s after warm-up. PyTorch runs when torch is installed (`pip install torch==2.13.0`).
Generation: 1x512 character LSTM (vocabulary 66), top-k sampling, compiled loop.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import keras  # noqa: E402
import numpy as np  # noqa: E402

from common import print_table, write_results  # noqa: E402
from seqtk.generation import TextGenerator  # noqa: E402
from seqtk.models import LanguageModel  # noqa: E402
from seqtk.tokenizers import CharTokenizer  # noqa: E402

VOCAB, BATCH, BPTT, LAYERS = 10_000, 20, 35, 2


def time_keras_model(model, steps, jit_compile):
    model.compile(optimizer=keras.optimizers.SGD(1.0, global_clipnorm=5.0),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=jit_compile)
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCAB, (BATCH * (steps + 3), BPTT)).astype("int32")
    model.fit(x[: BATCH * 3], x[: BATCH * 3], batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    start = time.perf_counter()
    model.fit(x[BATCH * 3 :], x[BATCH * 3 :], batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
    return steps * BATCH * BPTT / (time.perf_counter() - start)


def plain_keras_lm(hidden):
    inputs = keras.Input((BPTT,), dtype="int32", batch_size=BATCH)
    x = keras.layers.Embedding(VOCAB, hidden)(inputs)
    for _ in range(LAYERS):
        x = keras.layers.LSTM(hidden, return_sequences=True)(x)
    return keras.Model(inputs, keras.layers.Dense(VOCAB)(x))


def time_torch(hidden, steps):
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(0)

    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(VOCAB, hidden)
            self.lstm = torch.nn.LSTM(hidden, hidden, LAYERS, batch_first=True)
            self.output = torch.nn.Linear(hidden, VOCAB)

        def forward(self, x):
            return self.output(self.lstm(self.embedding(x))[0])

    model = Model()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.randint(1, VOCAB, (steps + 3, BATCH, BPTT))

    def step(batch):
        optimizer.zero_grad()
        loss = loss_fn(model(batch).reshape(-1, VOCAB), batch.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()

    for i in range(3):
        step(x[i])
    start = time.perf_counter()
    for i in range(3, steps + 3):
        step(x[i])
    return steps * BATCH * BPTT / (time.perf_counter() - start)


def generation_speed(batch, length=500):
    text = open(os.path.join(os.path.dirname(__file__), "..", "seqtk", "data", "bundled", "tinyshakespeare",
                             "input.txt")).read()
    tokenizer = CharTokenizer.train([text])
    model = LanguageModel(tokenizer.vocabulary_size, embedding_dim=64, hidden_dim=512, num_layers=1)
    generator = TextGenerator(model, tokenizer, sampler="top_k", k=20)
    prompts = ["ROMEO:"] * batch
    generator.generate(prompts, max_length=length, seed=0)
    start = time.perf_counter()
    generator.generate(prompts, max_length=length, seed=1)
    return batch * length / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--hidden", type=int, nargs="+", default=[200, 650])
    args = parser.parse_args()

    rows = []
    for hidden in args.hidden:
        for jit in (True, False):
            keras.utils.set_random_seed(0)
            seqtk_tps = time_keras_model(LanguageModel(VOCAB, hidden, hidden, LAYERS), args.steps, jit)
            keras_tps = time_keras_model(plain_keras_lm(hidden), args.steps, jit)
            rows.append({"task": "train", "hidden": hidden, "jit_compile": jit,
                         "seqtk_tokens_per_s": round(seqtk_tps), "keras_lstm_tokens_per_s": round(keras_tps),
                         "seqtk_over_keras": round(seqtk_tps / keras_tps, 2)})
        torch_tps = time_torch(hidden, args.steps)
        if torch_tps is not None:
            rows.append({"task": "train", "hidden": hidden, "torch_tokens_per_s": round(torch_tps)})
    for batch in (1, 64):
        rows.append({"task": "generate 1x512 char LSTM", "batch": batch,
                     "seqtk_tokens_per_s": round(generation_speed(batch))})
    print_table(rows, ["task", "hidden", "jit_compile", "batch", "seqtk_tokens_per_s", "keras_lstm_tokens_per_s",
                       "seqtk_over_keras", "torch_tokens_per_s"])
    write_results("lm_speed", rows, settings={"vocabulary": VOCAB, "batch": BATCH, "bptt": BPTT, "layers": LAYERS,
                                              "steps": args.steps})


if __name__ == "__main__":
    main()
