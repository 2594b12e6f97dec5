"""Where a generation step goes: the recurrent product, the rest of the model step, and sampling, against the
loop as released before issue 30; the bound on how much faster top-k generation can get.

    python bench/generation_step_breakdown.py            # about 2 minutes on 2 cores

The model is bench/lm_speed.py's character one: a 1x512 LSTM (embedding 64, 66 characters), untrained. Each
row is a compiled loop of 500 steps over a batch of 1 or 64 streams, timed as `bench/lm_speed.py` times
generation (all rows interleaved, the best of `5 x --rounds` runs), in microseconds per step:
  - `recurrent product`: the loop of `h <- (h W_h)[:, :512]` alone, the step's one large product;
  - `model step, no sampling`: `TextGenerator`'s loop with a sampler that always gives the same token
    (`LanguageModelStep`: the table lookup, the recurrent product, the gates and the output product);
  - `greedy`, `top-k (today)`: `TextGenerator` with those samplers (k=20);
  - `before`: the loop as released before issue 30 (bench/lm_speed.py's `PreviousTextGenerator`).

`before_over_greedy` is the most any sampler can gain over `before` here: a sampler that cost nothing would
leave today's loop as fast as the greedy one.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import keras
import tensorflow as tf
from common import print_table, write_results
from lm_speed import PreviousTextGenerator, PreviousTopKSampler

from seqtk.generation import Sampler, TextGenerator
from seqtk.models import LanguageModel
from seqtk.tokenizers import CharTokenizer

STEPS, HIDDEN, EMBEDDING = 500, 512, 64


class SameToken(Sampler):
    """Always token 1: the loop without sampling's cost. The token still reads the logits (a comparison that
    never holds), or XLA would drop the model from a loop whose output would not depend on it."""

    def pick(self, logits, uniform):
        return tf.cast(tf.reduce_min(logits, axis=-1) > 1e30, tf.int32) + 1


def product_loop(model, batch):
    kernel = tf.convert_to_tensor(model.recurrent.directions[0][0].recurrent_kernel)
    h0 = tf.fill([batch, HIDDEN], 0.01)

    @tf.function(jit_compile=True)
    def loop(h):
        return tf.while_loop(lambda step, h: step < STEPS, lambda step, h: (step + 1, tf.matmul(h, kernel)[:, :HIDDEN]),
                             (tf.constant(0), h), maximum_iterations=STEPS)[1]

    return lambda seed: loop(h0).numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    with open(os.path.join(os.path.dirname(__file__), "..", "seqtk", "data", "bundled", "tinyshakespeare",
                           "input.txt")) as handle:
        text = handle.read()
    tokenizer = CharTokenizer.train([text])
    keras.utils.set_random_seed(0)
    model = LanguageModel(tokenizer.vocabulary_size, embedding_dim=EMBEDDING, hidden_dim=HIDDEN, num_layers=1)
    model(tf.ones([1, 1], tf.int32))  # builds the weights
    rows = []
    for batch in (1, 64):
        prompts = [tokenizer.encode("ROMEO:")] * batch

        def generating(generator, prompts=prompts):
            return lambda seed: generator.generate_ids(prompts, max_length=STEPS, seed=seed)

        loops = {
            "recurrent product": product_loop(model, batch),
            "model step, no sampling": generating(TextGenerator(model, tokenizer, sampler=SameToken())),
            "greedy": generating(TextGenerator(model, tokenizer, sampler="greedy")),
            "top-k (today)": generating(TextGenerator(model, tokenizer, sampler="top_k", k=20)),
            "before": generating(PreviousTextGenerator(model, tokenizer, sampler=PreviousTopKSampler(k=20))),
        }
        for run in loops.values():
            run(0)  # compiles
        best = dict.fromkeys(loops, float("inf"))
        for repeat in range(1, 5 * args.rounds + 1):
            for name, run in loops.items():
                start = time.perf_counter()
                run(repeat)
                best[name] = min(best[name], time.perf_counter() - start)
        micros = {name: round(seconds / STEPS * 1e6, 1) for name, seconds in best.items()}
        row = {"batch": batch, **{f"{name} us": value for name, value in micros.items()},
               "today_over_before": round(micros["before"] / micros["top-k (today)"], 2),
               "before_over_greedy": round(micros["before"] / micros["greedy"], 2)}
        rows.append(row)
        print(row, flush=True)
    print_table(rows, list(rows[0]))
    print("microseconds per step of a 500-step loop; 1x512 char LSTM")
    write_results("generation_step_breakdown", rows, settings={"steps": STEPS, "hidden": HIDDEN,
                                                                "rounds": args.rounds})


if __name__ == "__main__":
    main()
