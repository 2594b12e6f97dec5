"""The `seqtk` command: parses, calls one library function per command, prints.

Nothing here imports TensorFlow at module level, so `seqtk --help` and usage errors answer at once;
TensorFlow's start-up logs are hidden unless `--verbose` is given.
"""

import argparse
import contextlib
import json
import os
import sys

from seqtk.defaults import BATCH_SIZE, MAX_NEW_TOKENS, SAMPLER, TEMPERATURE, TOP_K, TOP_P, UNKNOWN_WARNING
from seqtk.generation.generation_precision import PRECISIONS
from seqtk.serving.serve_limits import ServeLimits


@contextlib.contextmanager
def _native_logs_hidden(hidden):
    """Sends file descriptor 2 to /dev/null while TensorFlow's native libraries load: they log (oneDNN,
    CUDA probing, CPU features) before any log level applies."""
    if not hidden:
        yield
        return
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _start_tensorflow(verbose):
    if not verbose:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _native_logs_hidden(not verbose):
        import keras  # noqa: F401
        import tensorflow  # noqa: F401


def _write_json(path, value):
    if path:
        from seqtk.training.checkpoint import write_json_atomically

        write_json_atomically(path, value)


def _train(args):
    from seqtk.tasks import get_task, train_task

    if args.help_config:
        from seqtk.training.config import format_options

        print(format_options(get_task(args.task).config_class, args.task))
        return 0

    overrides = list(args.set or ())
    if args.strict:
        overrides.append("training.strict_vocabulary=true")
    if args.unknown_warning is not None:
        overrides.append(f"training.unknown_warning={args.unknown_warning}")
    if args.extend_vocabulary is not None:
        overrides.append(f"training.extend_vocabulary={str(args.extend_vocabulary).lower()}")
    if args.distribution:
        overrides.append(f"training.distribution={args.distribution}")
    train_task(args.task, args.config, overrides, args.data, args.init_from, args.resume)
    return 0


def _prepare(args):
    from seqtk.tasks import get_task

    task = get_task(args.task)
    config = task.load_config(args.config, list(args.set or ()), args.data)
    output = args.out or os.path.join("prepared", config.name)
    task.prepare_corpus(config, output, tokenizer_from=args.tokenizer_from, workers=args.workers)
    print(f"Train on it: seqtk train {args.task} --config {args.config or '<config>'} "
          f"--set data.prepared={output}")
    return 0


def _evaluate(args):
    from seqtk.tasks import evaluate

    options = {key: getattr(args, key) for key in ("batch_size", "format", "text_column", "label_column",
                                                    "source_column", "target_column", "beam", "tag_column")}
    task, report = evaluate(args.model, args.data, **options)
    print(task.format_evaluation(report))
    _write_json(args.output, report)
    return 0


def _classify(args):
    from seqtk.data.text_input import read_input_texts
    from seqtk.predictors import ClassifierPredictor, load

    given = read_input_texts(args.texts, args.input, verb="classify", nouns="texts")
    classifier = (load(args.model[0], task="classifier") if len(args.model) == 1
                  else ClassifierPredictor.averaging(args.model))
    classifier.report_unknown(given.texts, given.locations)
    labels = classifier.labels
    for text, row in zip(given.texts, classifier.probabilities(given.texts, args.batch_size, given.locations),
                         strict=True):
        best = int(row.argmax())
        if args.json:
            print(json.dumps({"text": text, "label": labels[best],
                              "probabilities": {label: round(float(p), 6) for label, p in zip(labels, row, strict=True)}}))
        else:
            print(f"{labels[best]}\t{row[best]:.4f}\t{text}")
    return 0


def _tag(args):
    from seqtk.data.text_input import read_input_texts
    from seqtk.predictors import load

    given = read_input_texts(args.texts, args.input, verb="tag", nouns="sentences (tokens separated by spaces)")
    tagger = load(args.model, task="tagger")
    tagger.report_unknown(given.texts, given.locations)
    for result in tagger.tag([text.split() for text in given.texts], args.batch_size, given.locations):
        words, tags = result["tokens"], result["tags"]
        if args.format == "conll":
            print("\n".join(f"{word}\t{tag}" for word, tag in zip(words, tags, strict=True)) + "\n")
        elif args.format == "jsonl":
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(" ".join(f"{word}/{tag}" for word, tag in zip(words, tags, strict=True)))
    return 0


def _translate(args):
    from seqtk.data.text_input import read_input_texts
    from seqtk.predictors import load

    given = read_input_texts(args.texts, args.input, verb="translate", nouns="sentences")
    translator = load(args.model, task="translator")
    translator.report_unknown(given.texts, given.locations)
    for translation in translator.translate(given.texts, args.beam, args.length_penalty, args.batch_size,
                                            given.locations):
        print(translation)
    return 0


def _generate(args):
    from seqtk.predictors import load

    prompt = args.prompt.encode("utf-8").decode("unicode_escape") if args.escapes else args.prompt
    lm = load(args.model, task="lm")
    if args.precision != "float32":
        lm.use_precision(args.precision)
    if prompt:
        lm.report_unknown([prompt], ["the prompt"], "Prompt")
    samples = lm.generate([prompt] * args.num_samples, args.max_length, args.sampler, args.temperature, args.top_k,
                          args.top_p, args.seed)  # sample i draws with seed + i
    print(("\n" + "-" * 40 + "\n").join(samples))
    return 0


def _export_tflite(args):
    from seqtk.export.tflite_exporter import export_tflite

    export_tflite(args.model, args.output, args.quantize, args.representative_data, args.loop,
                  lstm_step=args.lstm_step)
    return 0


def _export_web(args):
    from seqtk.export.web_site import export_web

    export_web(args.model, args.output, args.representative_data, quantize=args.quantize)
    return 0


def _run(args):
    from seqtk.predictors.run_folder import run_folder

    for line in run_folder(args.directory, args.texts, args.input, args.threads, beam_size=args.beam,
                           length_penalty=args.length_penalty, max_length=args.max_length, sampler=args.sampler,
                           temperature=args.temperature, top_k=args.top_k, top_p=args.top_p, seed=args.seed):
        print(line)
    return 0


def _serve(args):
    from seqtk.serving import ServeLimits, model_specs, serve

    specs = model_specs(args.model)  # a bad --model is refused before anything loads
    if not all(os.path.exists(os.path.join(path, "metadata.json")) for path in specs.values()):
        _start_tensorflow(args.verbose)  # saved folders run on Keras; exported ones need only LiteRT
    limits = ServeLimits(max_body_bytes=args.max_body_bytes, max_text_chars=args.max_text_chars,
                         max_instances=args.max_instances, max_tokens=args.max_tokens, max_beam_size=args.max_beam,
                         max_batch=args.max_batch, max_wait_ms=args.max_wait_ms, request_timeout_s=args.timeout,
                         max_queue=args.max_queue)
    serve(args.model, args.host, args.port, limits, "info" if args.verbose else "warning", precision=args.precision)
    return 0


def _sampling_options(parser, applies=""):
    """The sampling flags `generate` and `run-tflite` share, with the defaults of `seqtk.defaults`."""
    parser.add_argument("--max-length", type=int, default=MAX_NEW_TOKENS, help=f"{applies}tokens to generate")
    parser.add_argument("--sampler", default=SAMPLER, choices=["greedy", "temperature", "top_k", "top_p"],
                        help=f"{applies}how each token is drawn")
    parser.add_argument("--temperature", type=float, default=TEMPERATURE, help=f"{applies}softmax temperature")
    parser.add_argument("--top-k", type=int, default=TOP_K, help=f"{applies}top_k: the k most likely tokens")
    parser.add_argument("--top-p", type=float, default=TOP_P, help=f"{applies}top_p: the nucleus's probability")
    parser.add_argument("--seed", type=int, default=None)


def _reading_options(parser):
    parser.add_argument("--strict", action="store_true",
                        help="symbols outside the model's vocabulary are an error naming file and line "
                             "(default: read as <unk> and reported)")
    parser.add_argument("--unknown-warning", type=float, default=None, metavar="SHARE",
                        help=f"warn about a file with more than this share of unknown symbols (default {UNKNOWN_WARNING})")


def build_parser():
    parser = argparse.ArgumentParser(prog="seqtk", description="Recurrent sequence models on text.")
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's start-up and runtime logs")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a model from a config")
    train.add_argument("task", help="the task: lm, classifier, translator or tagger")
    train.add_argument("--config", help="named config (shakespeare_char, ptb_small, sst2, imdb, ud_ewt_upos, ...) or a YAML file")
    train.add_argument("--data", nargs="+", help="training files or globs; replace the config's training data")
    train.add_argument("--set", action="append", metavar="KEY=VALUE", help="override, e.g. training.epochs=3")
    train.add_argument("--init-from", help="lm: fine-tune this saved model; classifier: transfer this language "
                                          "model; tagger: transfer a word language model or fine-tune a tagger")
    train.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    train.add_argument("--help-config", action="store_true",
                       help="list the task's config keys with their defaults, allowed values and help, and exit")
    train.add_argument("--extend-vocabulary", action=argparse.BooleanOptionalAction, default=None,
                       help="with --init-from: add the symbols the new corpus has at least "
                            "training.extend_min_count (5) times, new rows the mean of the others (default: on)")
    train.add_argument("--distribution", metavar="KIND",
                       help="where to train: auto (default: what is here), none (one device), mirrored (every "
                            "local GPU), multi_worker (the machines TF_CONFIG names), tpu")
    _reading_options(train)
    train.set_defaults(run=_train)

    prepare = commands.add_parser(
        "prepare", help="tokenize a large corpus once into token shards on disk, to train on it in flat memory")
    prepare.add_argument("task", nargs="?", default="lm", help="the task (lm, the default)")
    prepare.add_argument("--config", help="named config or YAML file: its tokenizer, data and model.reverse")
    prepare.add_argument("--data", nargs="+", help="training files or globs; replace the config's training data")
    prepare.add_argument("--set", action="append", metavar="KEY=VALUE", help="override, e.g. tokenizer.kind=char")
    prepare.add_argument("--out", help="the folder to write (default: prepared/<name>)")
    prepare.add_argument("--tokenizer-from", metavar="DIR",
                         help="a saved model's (or tokenizer's) folder: use its tokenizer, to fine-tune that model")
    prepare.add_argument("--workers", type=int, default=None, help="encoding processes (default: every core)")
    _reading_options(prepare)
    prepare.set_defaults(run=_prepare)

    evaluate = commands.add_parser(
        "evaluate", help="language model: perplexity on text files; classifier: accuracy, F1 on a labelled file; "
                         "translator: BLEU, chrF on parallel data; tagger: accuracy, entity F1 on tagged files")
    evaluate.add_argument("--model", required=True, action="append",
                          help="a model directory; repeat it to evaluate classifiers as one, probabilities averaged")
    evaluate.add_argument("--data", required=True, nargs="+")
    evaluate.add_argument("--batch-size", type=int, default=None,
                          help="default: 10 streams for a language model, 64 texts or sentences otherwise")
    evaluate.add_argument("--output", help="also write the report to this JSON file")
    evaluate.add_argument("--format", help="classifier data: tsv, csv, jsonl or label_text; tagger data: conllu, "
                                           "conll or jsonl (default: from the file)")
    evaluate.add_argument("--text-column", help="classifier data: text column name or index (default: the model's)")
    evaluate.add_argument("--label-column", help="classifier data: label column name or index (default: the model's)")
    evaluate.add_argument("--source-column", help="translator data: source column or field (default: the model's)")
    evaluate.add_argument("--target-column", help="translator data: target column or field (default: the model's)")
    evaluate.add_argument("--tag-column", help="tagger data: CoNLL-U column (upos, xpos, ...) or 0-based index "
                                               "(default: the model's)")
    evaluate.add_argument("--beam", type=int, default=None,
                          help="translator: also score this beam size besides greedy (default: the model's, 1: greedy only)")
    _reading_options(evaluate)
    evaluate.set_defaults(run=_evaluate)

    translate = commands.add_parser("translate", help="translate sentences with a translator, one per line")
    translate.add_argument("--model", required=True)
    translate.add_argument("texts", nargs="*", help="sentences to translate (else --input, else standard input)")
    translate.add_argument("--input", help="a file of sentences, one per line; - reads standard input")
    translate.add_argument("--beam", type=int, default=1, help="beam size; 1 is greedy decoding")
    translate.add_argument("--length-penalty", type=float, default=None, help="beam search alpha (default: the model's)")
    translate.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    _reading_options(translate)
    translate.set_defaults(run=_translate)

    classify = commands.add_parser("classify", help="label texts with a classifier: label, probability, text")
    classify.add_argument("--model", required=True, action="append",
                          help="a classifier directory; repeat it to average several (ULMFiT's forward and backward)")
    classify.add_argument("texts", nargs="*", help="texts to classify (else --input, else standard input)")
    classify.add_argument("--input", help="a file of texts, one per line; - reads standard input")
    classify.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    classify.add_argument("--json", action="store_true", help="one JSON object per text, all probabilities")
    _reading_options(classify)
    classify.set_defaults(run=_classify)

    tag = commands.add_parser("tag", help="tag tokenized sentences with a tagger: word/TAG, CoNLL columns or JSON")
    tag.add_argument("--model", required=True, help="a directory written by seqtk train tagger")
    tag.add_argument("texts", nargs="*", help="sentences to tag, tokens separated by spaces (else --input, else "
                                              "standard input)")
    tag.add_argument("--input", help="a file of sentences, one per line; - reads standard input")
    tag.add_argument("--format", default="slash", choices=["slash", "conll", "jsonl"],
                     help="slash: word/TAG ...; conll: a word and its tag per line, a blank line after each "
                          "sentence; jsonl: {\"tokens\": [...], \"tags\": [...]} per sentence")
    tag.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    _reading_options(tag)
    tag.set_defaults(run=_tag)

    generate = commands.add_parser("generate", help="sample text from a language model")
    generate.add_argument("--model", required=True)
    generate.add_argument("--prompt", default="")
    _sampling_options(generate)
    generate.add_argument("--num-samples", type=int, default=1)
    generate.add_argument("--escapes", action="store_true", help=r"interpret \n in the prompt")
    generate.add_argument("--precision", default="float32", choices=PRECISIONS,
                          help="the matrix products of each step (bfloat16: faster for large models at small "
                               "batches on CPUs with AVX512-BF16 or AMX; a saved model only)")
    _reading_options(generate)
    generate.set_defaults(run=_generate)

    export = commands.add_parser("export", help="export a trained model to run on devices")
    formats = export.add_subparsers(dest="format", required=True)
    tflite = formats.add_parser(
        "tflite", help="TFLite (LiteRT) with builtin ops, fused LSTM and explicit states, verified against Keras")
    tflite.add_argument("--model", required=True, help="a directory written by seqtk train")
    tflite.add_argument("--quantize", default="none", choices=["none", "float16", "dynamic", "int8"])
    tflite.add_argument("--representative-data", help="real examples, one per line or in the task's data format: "
                                                       "calibrate int8 and verify (default: the model's own data)")
    tflite.add_argument("--output", help="the export folder (default: exports/<model folder name>_tflite[_<quantize>])")
    tflite.add_argument("--loop", default="auto", choices=["auto", "while", "unrolled"],
                        help="GRU/SimpleRNN recurrence: a WHILE loop, an unrolled fixed-length graph, or the faster")
    tflite.add_argument("--lstm-step", default="fused", choices=["fused", "cell", "auto"],
                        help="LSTM generation step: the fused op, FULLY_CONNECTED gates (faster on XNNPACK, "
                             "weights stored twice) or the faster of the two")
    _reading_options(tflite)
    tflite.set_defaults(run=_export_tflite)

    web = formats.add_parser(
        "web", help="a static site running the model in the browser (LiteRT.js, offline), checked against Keras")
    web.add_argument("--model", required=True, help="a directory written by seqtk train (any task)")
    web.add_argument("--output", help="the site folder (default: sites/<model folder name>)")
    web.add_argument("--quantize", default="none", choices=["none", "float16", "dynamic"],
                     help="as for export tflite: dynamic (int8 weights) makes the page's download about 4x smaller")
    web.add_argument("--representative-data", help="real examples to verify the export on (default: the model's "
                                                    "own data)")
    _reading_options(web)
    web.set_defaults(run=_export_web)

    run_tflite = commands.add_parser(
        "run", aliases=["run-tflite"],
        help="generate, classify, translate or tag with any model folder: saved (Keras) or exported (LiteRT)")
    run_tflite.add_argument("directory", help="a folder written by seqtk train or seqtk export tflite")
    run_tflite.add_argument("texts", nargs="*", help="prompts, texts or sentences (else --input or standard input)")
    run_tflite.add_argument("--input", help="a file of texts, one per line; - reads standard input")
    run_tflite.add_argument("--beam", type=int, default=1, help="translator: beam size; 1 is greedy")
    run_tflite.add_argument("--length-penalty", type=float, default=None, help="translator: beam search alpha")
    _sampling_options(run_tflite, "language model: ")
    run_tflite.add_argument("--threads", type=int, default=None, help="interpreter threads")
    _reading_options(run_tflite)
    run_tflite.set_defaults(run=_run)

    limits = ServeLimits()
    serve = commands.add_parser(
        "serve", help="serve models over HTTP (TF Serving's REST shape, task verbs, streaming) with a page at /")
    serve.add_argument("--model", action="append", required=True, metavar="[NAME=]DIR",
                       help="a saved or exported model folder; repeat to serve several")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (0.0.0.0: every interface)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--max-batch", type=int, default=limits.max_batch,
                       help="the most instances run as one batch (generation: streams run together)")
    serve.add_argument("--max-wait-ms", type=float, default=limits.max_wait_ms,
                       help="how long a batch's first request waits for others")
    serve.add_argument("--max-tokens", type=int, default=limits.max_tokens, help="the most tokens one generation asks")
    serve.add_argument("--max-instances", type=int, default=limits.max_instances,
                       help="the most instances in one request")
    serve.add_argument("--max-text-chars", type=int, default=limits.max_text_chars, help="the longest text")
    serve.add_argument("--max-body-bytes", type=int, default=limits.max_body_bytes, help="the largest request body")
    serve.add_argument("--max-beam", type=int, default=limits.max_beam_size, help="the widest translation beam")
    serve.add_argument("--max-queue", type=int, default=limits.max_queue,
                       help="requests waiting per model before 503")
    serve.add_argument("--timeout", type=float, default=limits.request_timeout_s,
                       help="seconds a request may wait and run")
    serve.add_argument("--precision", default="float32", choices=PRECISIONS,
                       help="the matrix products of saved language models' generation steps (as for generate)")
    serve.set_defaults(run=_serve, strict=False, unknown_warning=None)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        if args.command != "serve":  # serve starts TensorFlow only for saved (Keras) folders
            _start_tensorflow(args.verbose)
        if args.command == "train":  # the run sets the policy from its config, where --strict went
            return args.run(args)
        from seqtk.tokenizers.unknown_symbols import DEFAULT_THRESHOLD, unknown_symbol_policy

        threshold = DEFAULT_THRESHOLD if args.unknown_warning is None else args.unknown_warning
        with unknown_symbol_policy(args.strict, threshold):
            return args.run(args)
    except (ValueError, FileNotFoundError) as error:
        print(f"seqtk: error: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        from seqtk.training.numerical_fault import NumericalFault
        from seqtk.training.run_lock import RunLockedError

        if not isinstance(error, (NumericalFault, RunLockedError)):
            raise
        print(f"seqtk: error: {error}", file=sys.stderr)
        return 3 if isinstance(error, NumericalFault) else 2


if __name__ == "__main__":
    sys.exit(main())
