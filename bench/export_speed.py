"""Latency, size and quality of TFLite exports (float, float16, dynamic-range, int8) against Keras.

    python bench/export_speed.py                   # trains bench/models/char_lstm512 first if it is missing
    python bench/export_speed.py --train-minutes 8

Language model: a 1x512 character LSTM on tiny Shakespeare (the shakespeare_char config with 512 units,
trained for --train-minutes if bench/models/char_lstm512 is missing). `step` latency is the median of 2,000
calls in the LiteRT interpreter (signature runner, with 1 thread and with 2), `prefill` of 64-token prompts; perplexity is
measured step by step on the first 4,000 characters of the held-out last 10% of the corpus. Calibration text
for int8 comes from the training part.
Classifier: saved_models/sst2_ulmfit_bidirectional (the shipped 2x256 BiLSTM, ULMFiT), `classify` latency per
sentence and label agreement with the float file over the 872 bundled GLUE SST-2 dev sentences.
Keras columns: the same work through the Keras model under `tf.function` (one traced step, batch 1), on
TensorFlow's default threads (all cores).
Each quantization is exported with the fused LSTM step, and (but int8) with the step as FULLY_CONNECTED
gates (--lstm-step cell). Targets: step <= 0.2 ms (1x512 LSTM); int8 size <= 30% of float; int8 classifier
agreement >= 99%; int8 perplexity within 3% of float.
"""

import argparse
import math
import os
import statistics
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(__file__))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from common import median_ms, print_table, write_results  # noqa: E402

from seqtk.data.labeled_text import read_labeled  # noqa: E402
from seqtk.data.text_sources import BUNDLED, read_text_file  # noqa: E402
from seqtk.export.litert_model import LiteRTModel  # noqa: E402
from seqtk.export.tflite_exporter import export_tflite  # noqa: E402
from seqtk.tasks import load_model_directory  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
LM_DIRECTORY = os.path.join(ROOT, "bench", "models", "char_lstm512")
CLASSIFIER_DIRECTORY = os.path.join(ROOT, "saved_models", "sst2_ulmfit_bidirectional")
QUANTIZATIONS = ("none", "float16", "dynamic", "int8")
STEP_CALLS = 2000
THREADS = (1, 2)  # the interpreter's threads; the machine of the targets has 2 cores
PERPLEXITY_CHARACTERS = 4000


def train_language_model_if_missing(minutes):
    if os.path.exists(os.path.join(LM_DIRECTORY, "model.keras")):
        return
    from seqtk.tasks import load_config, train

    config = load_config(
        "shakespeare_char",
        overrides=[
            "name=char_lstm512",
            "model.hidden_dim=512",
            f"training.time_budget_minutes={minutes}",
            "training.verbose=2",
            "output_dir=bench/models",
            "checkpoint_dir=bench/checkpoints",
            "log_dir=bench/runs",
        ],
    )
    config.training.epochs = 1000
    train(config, command=f"python bench/export_speed.py --train-minutes {minutes}")


def keras_language_model_timings(model, ids):
    states = [tf.zeros((1, d)) for d in model.state_dims]
    step = tf.function(lambda token, states: model(token, states=states, return_state=True, training=False))
    prefill = tf.function(
        lambda tokens, states: model(tokens, states=states, return_state=True, training=False)
    )
    token, prompt = tf.constant([[int(ids[0])]]), tf.constant([ids[:64]])
    return (median_ms(lambda: step(token, states), 500, warmup=20),
            median_ms(lambda: prefill(prompt, states), 100, warmup=20))


def language_model_rows(workdir):
    text = read_text_file(BUNDLED["tinyshakespeare"])
    boundary = int(len(text) * 0.9)
    calibration = os.path.join(workdir, "calibration.txt")
    with open(calibration, "w", encoding="utf-8") as handle:
        handle.write(text[boundary - 60_000 : boundary])
    validation = text[boundary : boundary + PERPLEXITY_CHARACTERS]
    model, tokenizer, _ = load_model_directory(LM_DIRECTORY)
    ids = tokenizer.encode(validation)
    keras_step, keras_prefill = keras_language_model_timings(model, ids)
    rows, float_size = [], None
    runs = [(q, "fused") for q in QUANTIZATIONS] + [(q, "cell") for q in ("none", "float16", "dynamic")]
    for quantize, lstm_step in runs:
        out = os.path.join(workdir, f"lm_{quantize}_{lstm_step}")
        report = export_tflite(
            LM_DIRECTORY, out, quantize, calibration, log=lambda *a: None, lstm_step=lstm_step
        )
        float_size = float_size or report["size_bytes"]
        token = np.array([ids[0]], np.int32)
        prompt = np.array([ids[:64]], np.int32)
        timings = {}
        for threads in THREADS:
            lite = LiteRTModel.from_directory(out, num_threads=threads)
            states = lite.zero_states()
            timings[threads] = (
                median_ms(lambda lite=lite, s=states, t=token: lite("step", token=t, **s), STEP_CALLS, warmup=20),
                median_ms(lambda lite=lite, s=states, p=prompt: lite("prefill", tokens=p, **s), 200, warmup=20),
            )
        lite = LiteRTModel.from_directory(out, num_threads=1)
        (step_ms, prefill_ms), (step_ms_2, prefill_ms_2) = timings[1], timings[2]
        perplexity = math.exp(-lite.log_likelihood(ids) / (len(ids) - 1))
        rows.append(
            {
                "model": "char LM 1x512 LSTM",
                "quantize": quantize,
                "lstm_step": lstm_step,
                "size_mb": round(report["size_bytes"] / 1e6, 2),
                "size_vs_float": round(report["size_bytes"] / float_size, 3),
                "step_ms": round(step_ms, 4),
                "step_ms_2_threads": round(step_ms_2, 4),
                "prefill64_ms": round(prefill_ms, 3),
                "prefill64_ms_2_threads": round(prefill_ms_2, 3),
                "keras_step_ms": round(keras_step, 3),
                "keras_prefill64_ms": round(keras_prefill, 3),
                "perplexity": round(perplexity, 4),
                "fused_lstm": report["fused_lstm"],
                "max_abs_diff_vs_keras": max(
                    r["max_abs_diff_vs_keras"] for r in report["signatures"].values()
                ),
            }
        )
    base = rows[0]["perplexity"]
    for row in rows:
        row["perplexity_vs_float"] = round(row["perplexity"] / base, 4)
    return rows


def classifier_rows(workdir):
    model, tokenizer, config = load_model_directory(CLASSIFIER_DIRECTORY)
    examples = read_labeled("bundled:sst2_dev", text_column="sentence", label_column="label")
    dev = os.path.join(workdir, "dev.txt")
    with open(dev, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{e.text}\n" for e in examples))
    calibration = os.path.join(workdir, "calibration_sst.txt")
    with open(calibration, "w", encoding="utf-8") as handle:
        handle.write("".join(f"{e.text}\n" for e in read_labeled("bundled:sst2_sentences_train")[:400]))
    texts = [e.text for e in examples]
    labels = [str(e.label) for e in examples]
    classify = tf.function(
        lambda ids: model.predict_probabilities(ids), input_signature=[tf.TensorSpec([1, None], tf.int32)]
    )
    encoded = [np.array([tokenizer.encode(t)], np.int32) for t in texts]
    keras_ms = statistics.median(
        median_ms(lambda ids=ids: classify(ids), 3, warmup=1) for ids in encoded[:200]
    )
    rows, float_labels, float_size = [], None, None
    for quantize in QUANTIZATIONS:
        out = os.path.join(workdir, f"classifier_{quantize}")
        report = export_tflite(CLASSIFIER_DIRECTORY, out, quantize, calibration, log=lambda *a: None)
        float_size = float_size or report["size_bytes"]
        lite = LiteRTModel.from_directory(out, num_threads=1)
        predicted = [label for label, _ in lite.classify(texts)]
        float_labels = float_labels or predicted
        latency = statistics.median(
            median_ms(lambda ids=ids, lite=lite: lite("classify", token_ids=ids), 3, warmup=1)
            for ids in encoded[:200]
        )
        rows.append(
            {
                "model": "SST-2 BiLSTM classifier (sst2_ulmfit_bidirectional)",
                "quantize": quantize,
                "size_mb": round(report["size_bytes"] / 1e6, 2),
                "size_vs_float": round(report["size_bytes"] / float_size, 3),
                "classify_ms": round(latency, 3),
                "keras_classify_ms": round(keras_ms, 3),
                "label_agreement": round(
                    sum(a == b for a, b in zip(predicted, float_labels, strict=True)) / len(texts), 4
                ),
                "accuracy": round(
                    sum(a == b for a, b in zip(predicted, labels, strict=True)) / len(texts), 4
                ),
                "max_abs_diff_vs_keras": report["signatures"]["classify"]["max_abs_diff_vs_keras"],
            }
        )
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train-minutes", type=float, default=6.0)
    args = parser.parse_args()
    train_language_model_if_missing(args.train_minutes)
    with tempfile.TemporaryDirectory() as workdir:
        lm = language_model_rows(workdir)
        classifier = classifier_rows(workdir)
    print_table(lm, list(lm[0]))
    print()
    print_table(classifier, list(classifier[0]))
    fastest = min(lm, key=lambda r: r["step_ms"])
    int8_lm = next(r for r in lm if r["quantize"] == "int8")
    int8_classifier = next(r for r in classifier if r["quantize"] == "int8")
    targets = {
        f"step <= 0.2 ms (fastest: {fastest['quantize']}, {fastest['lstm_step']})": fastest["step_ms"] <= 0.2,
        "float step <= 0.2 ms, 1 thread": min(r["step_ms"] for r in lm if r["quantize"] == "none") <= 0.2,
        "float step <= 0.2 ms, 2 threads": min(
            r["step_ms_2_threads"] for r in lm if r["quantize"] == "none"
        ) <= 0.2,
        "int8 size <= 30% of float": int8_lm["size_vs_float"] <= 0.3
        and int8_classifier["size_vs_float"] <= 0.3,
        "int8 classifier agreement >= 99%": int8_classifier["label_agreement"] >= 0.99,
        "int8 perplexity within 3%": abs(int8_lm["perplexity_vs_float"] - 1) <= 0.03,
    }
    for name, met in targets.items():
        print(f"{name}: {'met' if met else 'NOT met'}")
    write_results(
        "export_speed",
        {"language_model": lm, "classifier": classifier},
        targets={k: bool(v) for k, v in targets.items()},
        threads=list(THREADS),
        command="python bench/export_speed.py",
    )


if __name__ == "__main__":
    main()
