"""How well a character language model's samples read, from any prompt.

    bash scripts/demo.sh                                   # the main job's model: models/shakespeare_char
    python bench/sample_quality.py                         # its samples, from its recorded start state
    python bench/sample_quality.py --start zeros           # the same model, every prompt read from zeros
    python bench/sample_quality.py --model saved_models/shakespeare_char_large --name large
    python bench/sample_quality.py --model saved_models/shakespeare_char_large --name large --precision bfloat16

For 20 prompts (10 speakers of the plays, 10 ordinary words or phrases), `--samples` continuations of 300
characters each at top-p 0.9 and the demo's temperature 0.8. Measured per prompt, over its samples together:
- `known_letters`: the share of generated letters that stand in words found in the training text's word list
  (letters, not words, so one long run of noise weighs by its length; words are runs of ASCII letters, matched
  without case);
- `loss`: the model's own cross-entropy on its samples (nats per generated character, read from the same
  start state), which a model that wanders into states it never trained in drives up.
Target: every prompt >= 80% known letters.

`--precision bfloat16` samples with the step's products in bfloat16 (`TextGenerator(precision=...)`) and draws
each sample's float32 twin with the same seed: `same_as_float32` is the share of characters generated before
the two first differ (1.0: identical). The loss is always the float32 model's.
"""

import argparse
import os
import re
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from common import print_table, write_results  # noqa: E402
from seqtk.generation import TextGenerator  # noqa: E402
from seqtk.tasks import load_model_directory  # noqa: E402
from seqtk.data.language_model_text import read_language_model_data  # noqa: E402

SPEAKERS = ["JULIET:", "ROMEO:", "KING HENRY VI:", "MENENIUS:", "First Citizen:", "GLOUCESTER:",
            "DUKE VINCENTIO:", "LADY CAPULET:", "PETRUCHIO:", "QUEEN ELIZABETH:"]
PHRASES = ["The king", "I will", "My lord,", "What is", "Love", "Good morrow", "The night", "He said",
           "And then", "Where"]
WORD = re.compile(r"[A-Za-z]+")
TARGET = 0.80


def known_letter_counts(text, vocabulary):
    """(letters in words of `vocabulary`, all letters) of `text`."""
    words = WORD.findall(text)
    return sum(len(w) for w in words if w.lower() in vocabulary), sum(len(w) for w in words)


def sample_loss(model, generator, prompt_ids, generated_ids):
    """Mean cross-entropy (nats) of the generated tokens, read after the prompt from the generator's start."""
    ids = np.asarray(prompt_ids + generated_ids, dtype=np.int32)[None]
    logits = model(ids[:, :-1], states=generator.start_states(1), training=False)
    nll = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids[:, 1:], logits=logits)[0].numpy()
    return float(nll[len(prompt_ids) - 1:].mean())


def shared_prefix(first, second):
    """How many leading items two lists share."""
    for index, (a, b) in enumerate(zip(first, second)):
        if a != b:
            return index
    return min(len(first), len(second))


def measure(directory, start, samples, length, temperature, p, seed, precision="float32"):
    model, tokenizer, config = load_model_directory(directory, task="lm")
    train, _ = read_language_model_data(config.data)
    vocabulary = {w.lower() for _, text in train for w in WORD.findall(text)}
    generator = TextGenerator(model, tokenizer, sampler="top_p", p=p, temperature=temperature, start=start,
                              precision=precision)
    float32 = (TextGenerator(model, tokenizer, sampler="top_p", p=p, temperature=temperature, start=start)
               if precision != "float32" else None)  # each sample's twin
    rows, examples = [], {}
    for kind, prompts in (("speaker", SPEAKERS), ("phrase", PHRASES)):
        for prompt in prompts:
            # Each prompt its own seeds: with shared ones, prompts that end alike ("JULIET:", "ROMEO:") give
            # near-identical samples.
            first_seed = seed + samples * len(rows)
            prompt_ids = tokenizer.encode(prompt)
            known = letters = same = 0
            losses = []
            for index in range(samples):
                generated = generator.generate_ids([prompt_ids], max_length=length, seed=first_seed + index)[0].tolist()
                if precision != "float32":
                    twin = float32.generate_ids([prompt_ids], max_length=length, seed=first_seed + index)[0].tolist()
                    same += shared_prefix(generated, twin)
                text = tokenizer.decode(generated)
                k, n = known_letter_counts(text, vocabulary)
                known, letters = known + k, letters + n
                losses.append(sample_loss(model, generator, prompt_ids, generated))
                if index == 0:
                    examples[prompt] = prompt + text
            row = {"prompt": prompt, "kind": kind, "known_letters": round(known / max(letters, 1), 4),
                   "letters": letters, "loss": round(float(np.mean(losses)), 4)}
            if precision != "float32":
                row["same_as_float32"] = round(same / (samples * length), 4)
            rows.append(row)
    return rows, examples


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="models/shakespeare_char", help="a saved character language model")
    parser.add_argument("--start", choices=["model", "zeros"], default="model",
                        help="model: the start state recorded with the model; zeros: the zero state")
    parser.add_argument("--samples", type=int, default=3, help="samples per prompt")
    parser.add_argument("--length", type=int, default=300, help="characters per sample")
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--top-p", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--name", default="", help="suffix of the results file")
    parser.add_argument("--precision", default="float32", choices=["float32", "bfloat16"],
                        help="the generation step's products (the loss is the float32 model's)")
    args = parser.parse_args()

    rows, examples = measure(args.model, args.start, args.samples, args.length, args.temperature, args.top_p,
                             args.seed, args.precision)
    print_table(rows, list(rows[0]))
    worst = min(rows, key=lambda r: r["known_letters"])
    summary = {
        "model": args.model, "start": args.start, "samples_per_prompt": args.samples, "length": args.length,
        "sampler": f"top_p p={args.top_p} temperature={args.temperature}",
        "mean_known_letters": round(float(np.mean([r["known_letters"] for r in rows])), 4),
        "worst_prompt": worst["prompt"], "worst_known_letters": worst["known_letters"],
        "mean_loss": round(float(np.mean([r["loss"] for r in rows])), 4), "precision": args.precision,
        "target": f"every prompt >= {TARGET:.0%}", "met": all(r["known_letters"] >= TARGET for r in rows),
    }
    print("\n".join(f"{key}: {value}" for key, value in summary.items()))
    print("\nFirst sample of the worst prompt:\n" + examples[worst["prompt"]])
    if args.precision != "float32":
        summary["mean_same_as_float32"] = round(float(np.mean([r["same_as_float32"] for r in rows])), 4)
    suffix = "_".join(filter(None, [args.name, args.start, "" if args.precision == "float32" else args.precision]))
    write_results(f"sample_quality_{suffix}", rows, summary=summary, examples=examples)


if __name__ == "__main__":
    main()
