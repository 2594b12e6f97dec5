"""`seqtk export tflite`: a trained model directory to a verified folder an app can ship."""

import json
import os
import statistics
import time

import numpy as np

from seqtk.export.exporter import exporter_for_model
from seqtk.export.exporters import make_exporter
from seqtk.export.litert_model import METADATA_FILE, MODEL_FILE, LiteRTModel
from seqtk.export.state_signatures import operator_names, rewrite_signatures
from seqtk.export.tflite_conversion import QUANTIZATIONS, convert, signature_function
from seqtk.export.web_target import check_web_file
from seqtk.models.model_directory import SavedConfig, read_saved_model, write_directory
from seqtk.tokenizers.unknown_symbols import report_unknown

REPORT_FILE = "export_report.json"
LOOPS = ("auto", "while", "unrolled")
LSTM_STEPS = ("fused", "cell", "auto")
TARGETS = ("tflite", "web")
WEB_QUANTIZATIONS = ("none", "float16", "dynamic")  # LiteRT.js runs these (checked in Chromium)
FUSED_LSTM = "UNIDIRECTIONAL_SEQUENCE_LSTM"
# A float file that differs from Keras by more than this has a bug, not rounding: the export stops.
FLOAT_TOLERANCE = 1e-3


def default_examples_path(config):
    """The model's own validation file (or its training file) from its config, if it can be read here."""
    from seqtk.data.text_sources import expand_data_dir, resolve_sources

    data = config.get("data") or SavedConfig({})
    for sources in (data.get("validation"), data.get("train")):
        for source in sources or []:
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
    """One way of exporting a model: its graph, its float and shipped files, and how they measured.

    `measure` converts, verifies against Keras and (with `quantize`) converts again quantized; the
    variant that ships is the fastest at `measured_key` in its shipped form.
    """

    def __init__(self, name, graph, measured_key):
        self.name = name
        self.graph = graph
        self.measured_key = measured_key
        self.signatures = graph.signatures()
        self.plans = {s.key: s.plan for s in self.signatures}
        self.functions = {
            s.key: signature_function(s.key, s.function, s.input_signature) for s in self.signatures
        }
        self.float_bytes = self.float_report = self.model_bytes = self.report = None

    def convert(self, quantize="none", samples=None):
        dataset = None if samples is None else (lambda: iter(samples))
        return rewrite_signatures(convert(self.functions, quantize, dataset), self.plans)

    def measure(self, samples, quantize, log):
        """Converts and verifies the float file (a large difference from Keras stops the export), then
        the quantized one; returns the median latency of `measured_key` in the shipped form."""
        self.float_bytes = self.convert()
        runner = LiteRTModel(model_content=self.float_bytes, metadata={"states": {}})
        self.float_report = verify(runner, self.graph, samples)
        worst = max(r["max_abs_diff_vs_keras"] for r in self.float_report.values())
        if worst > FLOAT_TOLERANCE:
            raise ValueError(
                f"The float TFLite file ({self.name}) differs from Keras by {worst:.2e} "
                f"(> {FLOAT_TOLERANCE}); nothing was written. This is a bug in the export of this "
                "architecture: please report it."
            )
        self.model_bytes, self.report = self.float_bytes, self.float_report
        if quantize != "none":
            log(f"{self.name}: converting with {quantize} quantization...")
            calibration = _calibration_samples(samples) if quantize == "int8" else None
            self.model_bytes = self.convert(quantize, calibration)
            runner = LiteRTModel(model_content=self.model_bytes, metadata={"states": {}})
            self.report = verify(runner, self.graph, samples)
        return self.report[self.measured_key]["median_latency_ms"]


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
        # Every input that runs along the sequence (a tagger's char_ids beside its token_ids) is joined and
        # cut the same way.
        aligned = [other for other, value in inputs_list[0].items()
                   if value.ndim >= 2 and all(i[other].shape[1] == i[name].shape[1] for i in inputs_list)]
        streams = {other: np.concatenate([inputs[other][0] for inputs in inputs_list]) for other in aligned}
        template = inputs_list[0]
        for start in range(0, len(streams[name]) - length + 1, length):
            calibration.append((key, {**template, **{other: stream[None, start : start + length]
                                                     for other, stream in streams.items()}}))
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


def _metadata(exporter, variant, runner, tokenizer, config, quantize):
    signatures = {}
    for key in runner.interpreter.get_signature_list():
        details = runner.runners[key]
        signatures[key] = {
            direction: {
                name: {"shape": [int(d) for d in spec["shape_signature"]], "dtype": np.dtype(spec["dtype"]).name}
                for name, spec in sorted(specs.items())
            }
            for direction, specs in (("inputs", details.get_input_details()),
                                     ("outputs", details.get_output_details()))
        }
    graph = variant.graph
    return {
        "format": "seqtk-tflite",
        "format_version": 1,
        "task": exporter.task,
        "file": MODEL_FILE,
        "quantize": quantize,
        "recurrence": variant.name,
        "fixed_length": graph.fixed_length,
        "signatures": signatures,
        "states": dict(zip(graph.state_names, exporter.state_dims(graph), strict=True)),
        "tokenizer": _tokenizer_entry(tokenizer),
        **exporter.metadata(graph, tokenizer, config),
    }


def _tokenizer_entry(tokenizer):
    """metadata.json's `tokenizer`: its file and kind, and for SentencePiece what a reader of the `.model` file
    needs besides (seqtk's id offset and end-of-line id), so the web page encodes as Python does."""
    entry = {"file": "tokenizer.json", "kind": tokenizer.kind}
    if hasattr(tokenizer, "id_offset"):
        entry.update({"offset": int(tokenizer.id_offset), "eos_id": int(tokenizer.eos_id)})
    for side in ("source", "target"):  # a translator's pair: each side's own
        if hasattr(tokenizer, side):
            entry[side] = {k: v for k, v in _tokenizer_entry(getattr(tokenizer, side)).items() if k != "file"}
    return entry


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
    target="tflite",
):
    """Exports a trained seqtk model to `output_directory` and returns the verification report.

    The folder holds `model.tflite` (builtin ops only, one signature per entry point), the tokenizer,
    `metadata.json` (signatures, state sizes, special ids, labels) and `export_report.json`. It is
    written to a temporary folder and renamed into place, so it is complete or absent.

    Args:
        model_directory: a directory written by `seqtk train`.
        output_directory: default `exports/<model folder name>_tflite` (`_<quantize>` appended when
            quantized), under the current directory.
        quantize: one of `QUANTIZATIONS`.
        examples_path: real examples (one per line, or the task's data format) to calibrate int8 and verify
            against Keras; default the model's own validation data.
        loop: for GRU and SimpleRNN, `"while"` (a WHILE loop over the real length), `"unrolled"` (fixed
            length, padded) or `"auto"` (both measured, the faster kept). LSTMs use the fused op.
        lstm_step: how an LSTM language model or decoder runs one step: `"fused"` (the fused op, the
            default), `"cell"` (FULLY_CONNECTED and element-wise ops, which XNNPACK runs, at the cost of a
            second copy of the LSTM weights) or `"auto"` (both measured, the faster kept).
        target: `"tflite"` (phones and the Python interpreter) or `"web"` (LiteRT.js in a browser: fixed input
            shapes, no fused LSTM, no WHILE loop, no variable tensors; `loop` and `lstm_step` do not apply;
            `quantize` one of `WEB_QUANTIZATIONS`).

    Examples:
        >>> report = export_tflite("saved_models/shakespeare_char_large", "exports/shakespeare_char")
        >>> report["signatures"]["step"]["max_abs_diff_vs_keras"] < 1e-4
        True
    """
    if quantize not in QUANTIZATIONS:
        raise ValueError(f"--quantize must be one of {QUANTIZATIONS}; received {quantize!r}.")
    if loop not in LOOPS:
        raise ValueError(f"--loop must be one of {LOOPS}; received {loop!r}.")
    if lstm_step not in LSTM_STEPS:
        raise ValueError(f"--lstm-step must be one of {LSTM_STEPS}; received {lstm_step!r}.")
    if target not in TARGETS:
        raise ValueError(f"target must be one of {TARGETS}; received {target!r}.")
    if target == "web" and quantize not in WEB_QUANTIZATIONS:
        # Integer activations are for integer-only accelerators, which a browser has none of; int8 weights
        # (dynamic) give the same download size.
        raise ValueError(f"The web target takes --quantize {', '.join(WEB_QUANTIZATIONS)}; {quantize} is for "
                         "integer-only accelerators. Use dynamic: its int8 weights make the same small file.")
    model, tokenizer, config = read_saved_model(model_directory)
    exporter = make_exporter(config.task) if config.task else exporter_for_model(model, model_directory)
    exporter.prepare(config)
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
    examples = exporter.read_examples(examples_path, config)
    unknown = report_unknown(exporter.input_tokenizer(tokenizer), examples.located(), "Export examples", corpus=True)
    suffix = "" if quantize == "none" else f"_{quantize}"
    # exports/ (ignored by git), not beside the model: a shipped preset's folder stays as it was shipped.
    output_directory = output_directory or os.path.join(
        "exports", os.path.basename(os.path.normpath(model_directory)) + f"_{target}{suffix}")

    if target == "web":
        web_graph = exporter.web_graph(model, config)
        variants = [_Variant("web", web_graph, exporter.step_key or exporter.sequence_key)]
    else:
        variants = _variants(exporter, model, config, loop, quantize, lstm_step)
    measured, samples_of = {}, {}
    for variant in variants:
        samples = exporter.sample_inputs(variant.graph, tokenizer, examples, config)
        # Only the signatures this graph has (a web language model has `step` alone).
        samples = samples_of[variant.name] = [(key, inputs) for key, inputs in samples if key in variant.plans]
        if not samples:
            raise ValueError(f"{examples.source}: no example gave any tokens; give real text.")
        measured[variant.name] = variant.measure(samples, quantize, log)
        log(f"{variant.name}: {variant.measured_key} median {measured[variant.name]:.3f} ms per call")
    chosen = min(variants, key=lambda v: measured[v.name])

    report = {
        "model": str(model_directory),
        "output": str(output_directory),
        "task": exporter.task,
        "quantize": quantize,
        "recurrence": chosen.name,
        "examples": examples.source,
        "unknown_symbols": unknown.to_dict(),
        "float_size_bytes": len(chosen.float_bytes),
        "signatures": chosen.report,
    }
    if len(variants) > 1:
        report["variant_latency_ms"] = {"signature": chosen.measured_key, **measured}
    model_bytes = chosen.model_bytes
    states = {"states": dict(zip(chosen.graph.state_names, exporter.state_dims(chosen.graph), strict=True))}
    float_runner = LiteRTModel(model_content=chosen.float_bytes, metadata=states, tokenizer=tokenizer)
    float_runner.metadata = _metadata(exporter, chosen, float_runner, tokenizer, config, "none")
    shipped = float_runner
    if quantize != "none":
        shipped = LiteRTModel(model_content=model_bytes, metadata=states, tokenizer=tokenizer)
        shipped.metadata = _metadata(exporter, chosen, shipped, tokenizer, config, quantize)
        report["task_metric"] = exporter.task_metric(shipped, float_runner, examples)
    agreement = exporter.keras_agreement(shipped, chosen.graph, samples_of[chosen.name])
    if agreement is not None:
        report["keras_agreement"] = agreement
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
    if target == "web":
        check_web_file(model_bytes)
        shipped.metadata["target"] = "web"
    elif model.cell_type == "lstm" and FUSED_LSTM not in operators:
        raise ValueError(
            f"The converter did not fuse this LSTM (operators: {operators}); nothing was written."
        )
    _write_folder(
        output_directory,
        {
            MODEL_FILE: model_bytes,
            METADATA_FILE: json.dumps(shipped.metadata, indent=1),
            REPORT_FILE: json.dumps(report, indent=1),
        },
        tokenizer,
    )
    log(format_report(report))
    return report


def _variants(exporter, model, config, loop, quantize, lstm_step):
    graph = exporter.graph(model)
    if model.cell_type == "lstm":
        if loop == "unrolled":
            raise ValueError(
                "--loop unrolled applies to GRU and SimpleRNN; an LSTM exports as the fused "
                "UNIDIRECTIONAL_SEQUENCE_LSTM op."
            )
        if exporter.step_key is None or lstm_step == "fused":
            return [_Variant("fused_lstm", graph, exporter.sequence_key)]
        # One generation step as the fused op, or as its gates in FULLY_CONNECTED and element-wise ops that
        # XNNPACK runs; the second stores the LSTM weights twice (the fused op keeps its own layout).
        cell = _Variant("fused_lstm+cell_step", exporter.graph(model, lstm_step="cell"), exporter.step_key)
        if lstm_step == "cell":
            return [cell]
        return [_Variant("fused_lstm", graph, exporter.step_key), cell]
    if not exporter.unrolls:
        if loop == "unrolled":
            raise ValueError(f"--loop unrolled does not apply to a {exporter.task}: it reads each sequence at its "
                             "own length (a WHILE loop); use --loop while or auto.")
        return [_Variant("while", graph, exporter.sequence_key)]
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
        variants.append(_Variant("while", graph, exporter.sequence_key))
    if loop in ("auto", "unrolled"):
        length = exporter.unrolled_length(config)
        variants.append(
            _Variant(f"unrolled_{length}", exporter.graph(model, fixed_length=length), exporter.sequence_key)
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
    if "keras_agreement" in report:
        lines.append("agreement with Keras: " + ", ".join(
            f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in report["keras_agreement"].items()))
    if "task_metric" in report:
        lines.append(
            "task metric vs float: "
            + ", ".join(
                f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                for k, v in report["task_metric"].items()
            )
        )
    return "\n".join(lines)
