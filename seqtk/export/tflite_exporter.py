"""`seqtk export tflite`: a trained model directory to a verified folder an app can ship."""

import json
import math
import os
import statistics
import time

import numpy as np

from seqtk.export.classifier_export import ClassifierExport
from seqtk.export.export_examples import read_export_examples
from seqtk.export.language_model_export import LanguageModelExport
from seqtk.export.litert_model import METADATA_FILE, MODEL_FILE, LiteRTModel
from seqtk.export.state_signatures import operator_names, rewrite_signatures
from seqtk.export.tflite_conversion import QUANTIZATIONS, convert, signature_function
from seqtk.export.translator_export import TranslatorExport
from seqtk.models.model_directory import load_model_directory, write_directory

REPORT_FILE = "export_report.json"
LOOPS = ("auto", "while", "unrolled")
LSTM_STEPS = ("fused", "cell", "auto")
FUSED_LSTM = "UNIDIRECTIONAL_SEQUENCE_LSTM"
# A float file that differs from Keras by more than this has a bug, not rounding: the export stops.
FLOAT_TOLERANCE = 1e-3
# Prompts are fed in chunks of this many tokens when a GRU language model's prefill is unrolled.
UNROLLED_PREFILL_LENGTH = 32


def task_export(model, config=None, fixed_length=None, lstm_step="fused"):
    """The export of `model`'s task: `LanguageModelExport`, `ClassifierExport` or `TranslatorExport`."""
    from seqtk.models.language_model import LanguageModel
    from seqtk.models.seq2seq_translator import Seq2SeqTranslator
    from seqtk.models.text_classifier import TextClassifier

    if isinstance(model, LanguageModel):
        return LanguageModelExport(model, fixed_length, lstm_step)
    if isinstance(model, TextClassifier):
        return ClassifierExport(model, fixed_length)
    if isinstance(model, Seq2SeqTranslator):
        return TranslatorExport(model, fixed_length, lstm_step)
    raise ValueError(
        f"TFLite export handles seqtk's LanguageModel, TextClassifier and Seq2SeqTranslator; this "
        f"model is a {type(model).__name__}. Train it with `seqtk train lm|classifier|translator`."
    )


def _unrolled_length(task, config):
    data = (config or {}).get("data", {})
    if task == "classifier":
        return int(data.get("max_length") or 64)
    if task == "translator":
        return int(data.get("max_source_length") or 64)
    return UNROLLED_PREFILL_LENGTH


def default_examples_path(config):
    """The model's own validation file (or its training file) from its `config.yaml`, if it can be read."""
    from seqtk.data.text_sources import expand_data_dir, resolve_sources

    data = (config or {}).get("data", {})
    for key in ("validation", "train"):
        for source in data.get(key) or []:
            source = str(source)
            if "," in source:
                return expand_data_dir(source)
            try:
                kind, path = resolve_sources([source])[0]
            except (FileNotFoundError, ValueError):
                continue
            if kind == "file":
                return path
    return None


class _Variant:
    """One way of exporting a model: its export object, its converted float file and where it was measured."""

    def __init__(self, name, export, measured_key):
        self.name = name
        self.export = export
        self.measured_key = measured_key
        self.signatures = export.signatures()
        self.plans = {s.key: s.plan for s in self.signatures}
        self.functions = {
            s.key: signature_function(s.key, s.function, s.input_signature) for s in self.signatures
        }

    def convert(self, quantize="none", samples=None):
        dataset = None if samples is None else (lambda: iter(samples))
        return rewrite_signatures(convert(self.functions, quantize, dataset), self.plans)


# Real inputs per export, for verification and int8 calibration: texts (classifier), sentences with their
# decoder steps (translator), prompts with their following steps (language model).
SAMPLE_COUNTS = {"classifier": 200, "translator": 32, "language_model": 32}


def _sample_inputs(export, tokenizer, examples, config):
    data = (config or {}).get("data", {})
    count = SAMPLE_COUNTS[export.task]
    if export.task == "classifier":
        return list(
            export.sample_inputs(
                tokenizer,
                examples,
                count,
                max_length=data.get("max_length", 0),
                truncation=data.get("truncation", "head"),
            )
        )
    if export.task == "translator":
        return list(
            export.sample_inputs(
                tokenizer, examples, count, max_source_length=data.get("max_source_length", 0)
            )
        )
    return list(export.sample_inputs(tokenizer, examples, count))


SEQUENCE_INPUTS = ("tokens", "token_ids", "source_ids")


def _calibration_samples(samples):
    """The samples with each signature's sequence input at one length, long enough for real states.

    The converter's calibrator sizes each signature's inputs once, from its first sample. Where the
    lengths differ, the sequences of that signature are joined into one stream of real tokens and cut
    into windows of its 90th-percentile length, so the recurrent states reach the ranges long texts give
    them (cutting every text to a short common length would calibrate the cell state too narrowly).
    """
    by_key = {}
    for key, inputs in samples:
        name = next((n for n in SEQUENCE_INPUTS if n in inputs), None)
        if name is not None:
            by_key.setdefault(key, (name, []))[1].append(inputs)
    calibration = [(key, inputs) for key, inputs in samples if key not in by_key]
    for key, (name, inputs_list) in by_key.items():
        lengths = [inputs[name].shape[1] for inputs in inputs_list]
        if len(set(lengths)) == 1:
            calibration.extend((key, inputs) for inputs in inputs_list)
            continue
        length = max(1, int(np.percentile(lengths, 90)))
        stream = np.concatenate([inputs[name][0] for inputs in inputs_list])
        template = inputs_list[0]
        for start in range(0, len(stream) - length + 1, length):
            calibration.append((key, {**template, name: stream[None, start : start + length]}))
    return calibration


def verify(runner, export, samples, repeats=3):
    """Per signature: the largest absolute difference from Keras over `samples`, and the median latency."""
    inputs_of = {
        key: set(details["inputs"]) for key, details in runner.interpreter.get_signature_list().items()
    }
    differences, latencies, calls = {}, {}, {}
    for key, inputs in samples:
        feed = {name: value for name, value in inputs.items() if name in inputs_of[key]}
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            outputs = runner(key, **feed)
            timings.append(time.perf_counter() - start)
        reference = export.keras_reference(key, inputs)
        difference = max(float(np.max(np.abs(outputs[name] - value))) for name, value in reference.items())
        differences[key] = max(differences.get(key, 0.0), difference)
        latencies.setdefault(key, []).append(min(timings))
        calls[key] = calls.get(key, 0) + 1
    return {
        key: {
            "max_abs_diff_vs_keras": differences[key],
            "calls": calls[key],
            "median_latency_ms": 1000 * statistics.median(latencies[key]),
        }
        for key in differences
    }


def task_metric(task, quantized, reference, examples, tokenizer_limit=1500):
    """The task's own measure of a quantized file against the float one, on the examples."""
    if task == "language_model":
        ids = reference.tokenizer.encode("\n".join(examples.texts)[:50_000])[:tokenizer_limit]
        if reference.metadata.get("reverse"):
            ids = ids[::-1]
        float_ppl = math.exp(-reference.log_likelihood(ids) / (len(ids) - 1))
        quantized_ppl = math.exp(-quantized.log_likelihood(ids) / (len(ids) - 1))
        return {
            "tokens": len(ids) - 1,
            "float_perplexity": float_ppl,
            "quantized_perplexity": quantized_ppl,
            "perplexity_ratio": quantized_ppl / float_ppl,
        }
    if task == "classifier":
        texts = examples.texts[:500]
        float_labels = [label for label, _ in reference.classify(texts)]
        quantized_labels = [label for label, _ in quantized.classify(texts)]
        agreement = sum(a == b for a, b in zip(float_labels, quantized_labels, strict=True)) / len(texts)
        return {"texts": len(texts), "label_agreement": agreement}
    from seqtk.metrics.translation import translation_scores

    sources = examples.texts[:200]
    float_outputs = reference.translate(sources)
    quantized_outputs = quantized.translate(sources)
    if examples.targets:
        targets = examples.targets[:200]
        float_bleu = translation_scores(float_outputs, targets)["bleu"]
        quantized_bleu = translation_scores(quantized_outputs, targets)["bleu"]
        return {
            "sentences": len(sources),
            "float_bleu": float_bleu,
            "quantized_bleu": quantized_bleu,
            "bleu_difference": quantized_bleu - float_bleu,
        }
    agreement = translation_scores(quantized_outputs, float_outputs)["bleu"]
    return {"sentences": len(sources), "bleu_against_float_outputs": agreement}


def _metadata(export, runner, tokenizer, config, quantize, variant):
    data = (config or {}).get("data", {})
    signatures = {}
    for key in runner.interpreter.get_signature_list():
        details = runner.runners[key]
        signatures[key] = {
            "inputs": {
                name: {
                    "shape": [int(d) for d in spec["shape_signature"]],
                    "dtype": np.dtype(spec["dtype"]).name,
                }
                for name, spec in sorted(details.get_input_details().items())
            },
            "outputs": {
                name: {
                    "shape": [int(d) for d in spec["shape_signature"]],
                    "dtype": np.dtype(spec["dtype"]).name,
                }
                for name, spec in sorted(details.get_output_details().items())
            },
        }
    metadata = {
        "format": "seqtk-tflite",
        "format_version": 1,
        "task": export.task,
        "file": MODEL_FILE,
        "quantize": quantize,
        "recurrence": variant,
        "fixed_length": export.fixed_length,
        "signatures": signatures,
        "states": dict(zip(export.state_names, _state_dims(export), strict=True)),
        "tokenizer": {"file": "tokenizer.json", "kind": tokenizer.kind},
    }
    if export.task == "language_model":
        metadata["special_ids"] = {"pad": 0, "newline": int(tokenizer.newline_id)}
        metadata["reverse"] = bool(getattr(export.model, "reverse", False))
        metadata["usage"] = (
            "Start from zero states; prefill(tokens, states) on the prompt, then step(token, "
            "states) once per generated token, passing back the states each call returns."
            + (" This backward model reads right to left: feed tokens last first; it writes what "
               "comes before them." if metadata["reverse"] else "")
        )
    elif export.task == "classifier":
        metadata["special_ids"] = {"pad": 0}
        metadata["labels"] = [str(label) for label in (config or {}).get("labels", [])]
        metadata["max_length"] = int(data.get("max_length") or 0)
        metadata["truncation"] = data.get("truncation", "head")
        metadata["usage"] = "classify(token_ids) on one text's ids; probabilities follow the order of labels."
    else:
        target = getattr(tokenizer, "target", tokenizer)
        metadata["special_ids"] = {"pad": 0, "start": int(target.newline_id), "end": int(target.newline_id)}
        metadata["max_source_length"] = int(data.get("max_source_length") or 0)
        metadata["max_target_length"] = int(data.get("max_target_length") or 0)
        metadata["length_penalty"] = float((config or {}).get("training", {}).get("length_penalty", 0.0))
        if export.separate_bridge:
            metadata["encoder_states"] = list(export.encoder.state_names)
        order = "encode, bridge, decode_step" if export.separate_bridge else "encode, decode_step"
        metadata["usage"] = (
            f"Call {order}: decode_step from the start id with the states encode returns (and "
            "its context), feeding each chosen token back until the end id."
        )
    return metadata


def _state_dims(export):
    graph = export.decoder if export.task == "translator" else export.graph
    return graph.state_dims


def _write_folder(output_directory, files, tokenizer):
    def write(staging):
        for name, content in files.items():
            if isinstance(content, bytes):
                with open(os.path.join(staging, name), "wb") as handle:
                    handle.write(content)
            else:
                with open(os.path.join(staging, name), "w", encoding="utf-8") as handle:
                    handle.write(content)
        tokenizer.save(staging)

    write_directory(output_directory, write)


def export_tflite(
    model_directory,
    output_directory=None,
    quantize="none",
    examples_path=None,
    loop="auto",
    log=print,
    lstm_step="fused",
):
    """Exports a trained seqtk model to `output_directory` and returns the verification report.

    The folder holds `model.tflite` (builtin ops only, one signature per entry point), the tokenizer,
    `metadata.json` (signatures, state sizes, special ids, labels) and `export_report.json`. It is
    written to a temporary folder and renamed into place, so it is complete or absent.

    Args:
        model_directory: a directory written by `seqtk train`.
        output_directory: default `<model_directory>_tflite` (`_<quantize>` appended when quantized).
        quantize: one of `QUANTIZATIONS`.
        examples_path: real examples (one per line, or the task's data format) to calibrate int8 and verify
            against Keras; default the model's own validation data.
        loop: for GRU and SimpleRNN, `"while"` (a WHILE loop over the real length), `"unrolled"` (fixed
            length, padded) or `"auto"` (both measured, the faster kept). LSTMs use the fused op.
        lstm_step: how an LSTM language model or decoder runs one step: `"fused"` (the fused op, the
            default), `"cell"` (FULLY_CONNECTED and element-wise ops, which XNNPACK runs, at the cost of a
            second copy of the LSTM weights) or `"auto"` (both measured, the faster kept).

    Example:
    >>> report = export_tflite("saved_models/shakespeare_char", "exports/shakespeare_char")
    >>> report["signatures"]["step"]["max_abs_diff_vs_keras"] < 1e-4
    True
    """
    if quantize not in QUANTIZATIONS:
        raise ValueError(f"--quantize must be one of {QUANTIZATIONS}; received {quantize!r}.")
    if loop not in LOOPS:
        raise ValueError(f"--loop must be one of {LOOPS}; received {loop!r}.")
    if lstm_step not in LSTM_STEPS:
        raise ValueError(f"--lstm-step must be one of {LSTM_STEPS}; received {lstm_step!r}.")
    model, tokenizer, config = load_model_directory(model_directory)
    export = task_export(model, config)
    if examples_path is None:
        if quantize == "int8":
            raise ValueError(
                "int8 quantization calibrates activations on real inputs: give --representative-data "
                "<file> (one example per line, or the model's own data format)."
            )
        examples_path = default_examples_path(config)
        if examples_path is None:
            raise ValueError(
                f"{model_directory}: its training data cannot be read here, and verification needs "
                "real examples; give --representative-data <file> (one example per line)."
            )
    examples = read_export_examples(examples_path, export.task, (config or {}).get("data", {}))
    suffix = "" if quantize == "none" else f"_{quantize}"
    output_directory = output_directory or os.path.normpath(model_directory) + f"_tflite{suffix}"

    variants = _variants(export, model, config, loop, quantize, lstm_step)
    measured = {}
    for variant in variants:
        samples = _sample_inputs(variant.export, tokenizer, examples, config)
        if not samples:
            raise ValueError(f"{examples.source}: no example gave any tokens; give real text.")
        variant.samples = samples
        variant.float_bytes = variant.convert()
        runner = LiteRTModel(model_content=variant.float_bytes, metadata={"states": {}})
        variant.float_report = verify(runner, variant.export, samples)
        worst = max(r["max_abs_diff_vs_keras"] for r in variant.float_report.values())
        if worst > FLOAT_TOLERANCE:
            raise ValueError(
                f"The float TFLite file ({variant.name}) differs from Keras by {worst:.2e} "
                f"(> {FLOAT_TOLERANCE}); nothing was written. This is a bug in the export of this "
                "architecture: please report it."
            )
        variant.model_bytes, variant.report = variant.float_bytes, variant.float_report
        if quantize != "none":
            log(f"{variant.name}: converting with {quantize} quantization...")
            calibration = _calibration_samples(samples) if quantize == "int8" else None
            variant.model_bytes = variant.convert(quantize, calibration)
            runner = LiteRTModel(model_content=variant.model_bytes, metadata={"states": {}})
            variant.report = verify(runner, variant.export, samples)
        # Variants differ in one signature; the one that ships is the faster at it, in the shipped form.
        measured[variant.name] = variant.report[variant.measured_key]["median_latency_ms"]
        log(f"{variant.name}: {variant.measured_key} median {measured[variant.name]:.3f} ms per call")
    chosen = min(variants, key=lambda v: measured[v.name])

    report = {
        "model": str(model_directory),
        "output": str(output_directory),
        "task": export.task,
        "quantize": quantize,
        "recurrence": chosen.name,
        "examples": examples.source,
        "float_size_bytes": len(chosen.float_bytes),
        "signatures": chosen.report,
    }
    if len(variants) > 1:
        report["variant_latency_ms"] = {"signature": chosen.measured_key, **measured}
    model_bytes = chosen.model_bytes
    metadata_stub = {"states": dict(zip(chosen.export.state_names, _state_dims(chosen.export), strict=True))}
    float_runner = LiteRTModel(model_content=chosen.float_bytes, metadata=metadata_stub, tokenizer=tokenizer)
    float_runner.metadata = _metadata(chosen.export, float_runner, tokenizer, config, "none", chosen.name)
    shipped = float_runner
    if quantize != "none":
        shipped = LiteRTModel(model_content=model_bytes, metadata=metadata_stub, tokenizer=tokenizer)
        shipped.metadata = _metadata(chosen.export, shipped, tokenizer, config, quantize, chosen.name)
        report["task_metric"] = task_metric(export.task, shipped, float_runner, examples)
    operators = sorted(operator_names(model_bytes))
    report.update(
        {
            "file": MODEL_FILE,
            "size_bytes": len(model_bytes),
            "size_vs_float": len(model_bytes) / len(chosen.float_bytes),
            "operators": operators,
            "flex_operators": [name for name in operators if name.startswith("Flex")],
            "fused_lstm": FUSED_LSTM in operators,
        }
    )
    if model.cell_type == "lstm" and FUSED_LSTM not in operators:
        raise ValueError(
            f"The converter did not fuse this LSTM (operators: {operators}); nothing was written."
        )
    metadata = shipped.metadata
    _write_folder(
        output_directory,
        {
            MODEL_FILE: model_bytes,
            METADATA_FILE: json.dumps(metadata, indent=1),
            REPORT_FILE: json.dumps(report, indent=1),
        },
        tokenizer,
    )
    log(format_report(report))
    return report


def _variants(export, model, config, loop, quantize, lstm_step):
    sequence_keys = {"language_model": "prefill", "classifier": "classify", "translator": "encode"}
    sequence_key = sequence_keys[export.task]
    if model.cell_type == "lstm":
        if loop == "unrolled":
            raise ValueError(
                "--loop unrolled applies to GRU and SimpleRNN; an LSTM exports as the fused "
                "UNIDIRECTIONAL_SEQUENCE_LSTM op."
            )
        if export.task == "classifier" or lstm_step == "fused":
            return [_Variant("fused_lstm", export, sequence_key)]
        # One generation step as the fused op, or as its gates in FULLY_CONNECTED and element-wise ops that
        # XNNPACK runs; the second stores the LSTM weights twice (the fused op keeps its own layout).
        step_key = "step" if export.task == "language_model" else "decode_step"
        cell = _Variant("fused_lstm+cell_step", task_export(model, config, lstm_step="cell"), step_key)
        if lstm_step == "cell":
            return [cell]
        return [_Variant("fused_lstm", export, step_key), cell]
    if quantize == "int8":
        # The converter's int8 calibration crashes the process on a WHILE loop; an unrolled graph quantizes.
        if loop == "while":
            raise ValueError(
                "int8 quantization of a GRU or SimpleRNN needs the unrolled recurrence (the converter "
                "crashes on an int8 WHILE loop): use --loop unrolled or auto."
            )
        loop = "unrolled"
    variants = []
    if loop in ("auto", "while"):
        variants.append(_Variant("while", export, sequence_key))
    if loop in ("auto", "unrolled"):
        length = _unrolled_length(export.task, config)
        variants.append(
            _Variant(f"unrolled_{length}", task_export(model, config, fixed_length=length), sequence_key)
        )
    return variants


def format_report(report):
    """The report as a table for the terminal."""
    lines = [
        (
            f"{report['task']} -> {report['output']}/{report['file']} ({report['quantize']}, "
            f"{report['size_bytes'] / 1e6:.2f} MB, {100 * report['size_vs_float']:.1f}% of float; "
            f"recurrence: {report['recurrence']})"
        ),
        f"{'signature':<12} {'max |diff| vs Keras':>20} {'median ms':>10} {'calls':>6}",
    ]
    for key, row in report["signatures"].items():
        lines.append(
            f"{key:<12} {row['max_abs_diff_vs_keras']:>20.2e} {row['median_latency_ms']:>10.3f} "
            f"{row['calls']:>6}"
        )
    lines.append(f"operators: {', '.join(report['operators'])}")
    lines.append(
        f"fused LSTM: {'yes' if report['fused_lstm'] else 'no'}; Flex ops: "
        f"{', '.join(report['flex_operators']) or 'none'}"
    )
    if "variant_latency_ms" in report:
        measured = dict(report["variant_latency_ms"])
        key = measured.pop("signature")
        lines.append(f"measured {key}: " + ", ".join(f"{k} {v:.3f} ms" for k, v in measured.items()))
    if "task_metric" in report:
        lines.append(
            "task metric vs float: "
            + ", ".join(
                f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                for k, v in report["task_metric"].items()
            )
        )
    return "\n".join(lines)
