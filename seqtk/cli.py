"""The `seqtk` command: train, evaluate, generate, classify, translate, export and run exports."""

import argparse
import json
import os
import sys


def _quiet_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _train(args):
    from seqtk.training.classifier_trainer import train_classifier
    from seqtk.training.config import fine_tuning_config, load_config
    from seqtk.training.language_model_trainer import train_language_model
    from seqtk.training.translator_trainer import train_translator

    config_source = args.config
    if args.task == "translator":
        if args.init_from:
            raise ValueError("--init-from applies to lm and classifier training; a translator trains from scratch "
                             "(use --resume to continue one).")
        config = load_config(config_source, overrides=list(args.set or ()), data=args.data, task="translator")
        train_translator(config, resume=args.resume)
        return 0
    if args.task == "classifier":
        # --init-from names the language model to transfer; the classifier's settings come from --config.
        config = load_config(config_source, overrides=list(args.set or ()), data=args.data, task="classifier")
        train_classifier(config, init_from=args.init_from, resume=args.resume)
        return 0
    if args.init_from:
        config = fine_tuning_config(args.init_from, config_source, args.set or (), args.data)
    else:
        config = load_config(config_source, overrides=list(args.set or ()), data=args.data)
    train_language_model(config, init_from=args.init_from, resume=args.resume)
    return 0


def _load_model(directory, kind, noun, task):
    """`(model, tokenizer, config)` of a saved model that must be a `kind`; else an error naming the fix."""
    from seqtk.models.model_directory import load_model_directory

    model, tokenizer, config = load_model_directory(directory)
    if not isinstance(model, kind):
        raise ValueError(f"{directory}: holds a {type(model).__name__}, not {noun}. "
                         f"Give a directory written by `seqtk train {task}`.")
    return model, tokenizer, config


def _write_json(path, value):
    from seqtk.training.callbacks import write_json_atomically

    if path:
        write_json_atomically(path, value)


def _evaluate_classifier(args, directories, first):
    from seqtk.data.labeled_text import read_labeled
    from seqtk.metrics.classification import format_report
    from seqtk.training.classifier_ensemble import ClassifierEnsemble

    # `first` is the already loaded (model, tokenizer, config) of directories[0]; only the rest are read.
    ensemble = ClassifierEnsemble.from_directories(directories, loaded={directories[0]: first})
    data = ensemble.members[0][2].get("data", {})
    examples = read_labeled(
        args.data, args.format or "auto",
        text_column=args.text_column or data.get("text_column", "auto"),
        label_column=args.label_column or data.get("label_column", "auto"),
    )
    report, _ = ensemble.evaluate(examples, args.batch_size or 64)
    print(format_report(report))
    for member in report.get("members", []):
        print(f"member {member['model']}: accuracy {member['accuracy']:.4f}   macro-F1 {member['macro_f1']:.4f}")
    _write_json(args.output, report)
    return 0


def _translator_config(model_directory):
    from seqtk.models.model_directory import CONFIG_FILE
    from seqtk.training.config import load_config

    path = os.path.join(model_directory, CONFIG_FILE)
    return load_config(path if os.path.exists(path) else None, task="translator")


def _evaluate_translator(args, model, tokenizers):
    from seqtk.data.parallel_text import read_parallel
    from seqtk.training.translator_evaluation import evaluate_translator, sentence_translator

    config = _translator_config(args.model)
    data, training = config.data, config.training
    examples = read_parallel(
        args.data, args.format or "auto",
        source_column=data.source_column if args.source_column is None else args.source_column,
        target_column=data.target_column if args.target_column is None else args.target_column,
    )
    translator = sentence_translator(model, tokenizers, data)
    beams = [1] if args.beam == 1 else [1, args.beam or training.beam_size]
    reports = {}
    for beam in beams:
        report, _ = evaluate_translator(translator, examples, beam, training.length_penalty, args.batch_size or 64)
        reports["greedy" if beam == 1 else f"beam{beam}"] = report
        print(f"{'greedy' if beam == 1 else f'beam {beam}'}: BLEU {report['bleu']:.2f}  chrF {report['chrf']:.2f}  "
              f"({report['sentences']} sentences, {report['sentences_per_second']:.0f}/s)")
    print(f"BLEU signature: {reports['greedy']['bleu_signature']}")
    _write_json(args.output, reports)
    return 0


def _input_texts(args, verb, nouns):
    """Texts from the arguments, then `--input` (a file, or - for standard input), else piped input."""
    from seqtk.data.text_sources import read_text_file

    texts, locations = list(args.texts), [f"argument {i}" for i in range(1, len(args.texts) + 1)]
    from_stdin = args.input == "-" or (not args.input and not texts and not sys.stdin.isatty())
    if args.input or from_stdin:
        name = "standard input" if from_stdin else args.input
        content = sys.stdin.read() if from_stdin else read_text_file(args.input)
        numbered = [(number, line) for number, line in enumerate(content.split("\n"), start=1) if line.strip()]
        texts += [line for _, line in numbered]
        locations += [f"{name}, line {number}" for number, _ in numbered]
    if not texts:
        raise ValueError(f"Nothing to {verb}: give {nouns} as arguments, a file with --input, or lines on "
                         "standard input.")
    return texts, locations


def _export_tflite(args):
    from seqtk.export.tflite_exporter import export_tflite

    export_tflite(args.model, args.output, args.quantize, args.representative_data, args.loop,
                  lstm_step=args.lstm_step)
    return 0


def _run_tflite(args):
    from seqtk.export.litert_model import LiteRTModel

    model = LiteRTModel.from_directory(args.directory, num_threads=args.threads)
    if model.task == "language_model":
        prompts = list(args.texts) or [""]
        for index, prompt in enumerate(prompts):
            text = model.generate(prompt, args.max_length, args.temperature, args.top_k, args.top_p,
                                  None if args.seed is None else args.seed + index)
            print(prompt + text)
        return 0
    texts, _ = _input_texts(args, "classify" if model.task == "classifier" else "translate", "texts")
    if model.task == "classifier":
        for text, (label, probability) in zip(texts, model.classify(texts), strict=True):
            print(f"{label}\t{probability:.4f}\t{text}")
        return 0
    length_penalty = model.metadata.get("length_penalty", 0.0) if args.length_penalty is None else args.length_penalty
    for translation in model.translate(texts, args.beam, length_penalty):
        print(translation)
    return 0


def _translate(args):
    from seqtk.models.seq2seq_translator import Seq2SeqTranslator
    from seqtk.training.translator_evaluation import sentence_translator

    model, tokenizers, _ = _load_model(args.model, Seq2SeqTranslator, "a translator", "translator")
    config = _translator_config(args.model)
    data, training = config.data, config.training
    texts, locations = _input_texts(args, "translate", "sentences")
    translator = sentence_translator(model, tokenizers, data)
    length_penalty = training.length_penalty if args.length_penalty is None else args.length_penalty
    for translation in translator.translate(texts, args.beam, length_penalty, args.batch_size, locations):
        print(translation)
    return 0


def _evaluate(args):
    from seqtk.data.text_sources import read_texts
    from seqtk.models.model_directory import load_model_directory
    from seqtk.models.seq2seq_translator import Seq2SeqTranslator
    from seqtk.models.text_classifier import TextClassifier
    from seqtk.tokenizers.char_tokenizer import CharTokenizer
    from seqtk.training.evaluation import evaluate_language_model
    from seqtk.training.language_model_trainer import encode_texts

    directories = args.model
    model, tokenizer, config = load_model_directory(directories[0])
    if isinstance(model, TextClassifier):
        return _evaluate_classifier(args, directories, (model, tokenizer, config or {}))
    if len(directories) > 1:
        raise ValueError(f"Several models are averaged for classifiers only; {directories[0]} holds a "
                         f"{type(model).__name__}. Give one --model.")
    args.model = directories[0]
    if isinstance(model, Seq2SeqTranslator):
        return _evaluate_translator(args, model, tokenizer)
    ids = encode_texts(tokenizer, read_texts(args.data), reverse=getattr(model, "reverse", False))
    training = (config or {}).get("training", {})
    result = evaluate_language_model(
        model, ids, batch_size=args.batch_size or 10, sequence_length=training.get("sequence_length", 35),
        character_level=isinstance(tokenizer, CharTokenizer),
    )
    print(json.dumps(result, indent=2))
    _write_json(args.output, result)
    return 0


def _classify(args):
    from seqtk.data.text_sources import read_text_file
    from seqtk.training.classifier_ensemble import ClassifierEnsemble

    ensemble = ClassifierEnsemble.from_directories(args.model)
    texts, source = list(args.texts), "argument"
    if args.input:
        texts += [line for line in read_text_file(args.input).split("\n") if line.strip()]
        source = args.input if not args.texts else "input"
    if not texts:
        raise ValueError("Nothing to classify: give texts as arguments or a file with --input (one text per line).")
    labels = ensemble.labels
    probabilities = ensemble.probabilities(texts, args.batch_size, source=source)
    for text, row in zip(texts, probabilities, strict=True):
        best = int(row.argmax())
        if args.json:
            print(json.dumps({"text": text, "label": labels[best],
                              "probabilities": {label: round(float(p), 6) for label, p in zip(labels, row, strict=True)}}))
        else:
            print(f"{labels[best]}\t{row[best]:.4f}\t{text}")
    return 0


def _generate(args):
    from seqtk.generation.text_generator import TextGenerator
    from seqtk.models.model_directory import load_model_directory

    model, tokenizer, _ = load_model_directory(args.model)
    prompt = args.prompt.encode("utf-8").decode("unicode_escape") if args.escapes else args.prompt
    generator = TextGenerator(model, tokenizer, sampler=args.sampler, temperature=args.temperature,
                              k=args.top_k if args.sampler == "top_k" else None,
                              p=args.top_p if args.sampler == "top_p" else None)
    for index in range(args.num_samples):
        seed = None if args.seed is None else args.seed + index
        print(generator.generate(prompt, max_length=args.max_length, seed=seed))
        if index < args.num_samples - 1:
            print("-" * 40)
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="seqtk", description="Recurrent sequence models on text.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a model from a config")
    train.add_argument("task", choices=["lm", "classifier", "translator"])
    train.add_argument("--config", help="named config (shakespeare_char, ptb_small, sst2, imdb, ...) or a YAML file")
    train.add_argument("--data", nargs="+", help="training files or globs; replace the config's training data")
    train.add_argument("--set", action="append", metavar="KEY=VALUE", help="override, e.g. training.epochs=3")
    train.add_argument("--init-from", help="lm: fine-tune this saved model; classifier: transfer this language model")
    train.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser(
        "evaluate", help="language model: perplexity on text files; classifier: accuracy, F1 on a labelled file; "
                         "translator: BLEU, chrF on parallel data")
    evaluate.add_argument("--model", required=True, action="append",
                          help="a model directory; repeat it to evaluate classifiers as one, probabilities averaged")
    evaluate.add_argument("--data", required=True, nargs="+")
    evaluate.add_argument("--batch-size", type=int, default=None,
                          help="default: 10 streams for a language model, 64 texts or sentences otherwise")
    evaluate.add_argument("--output", help="also write the report to this JSON file")
    evaluate.add_argument("--format", help="classifier data: tsv, csv, jsonl or label_text (default: from the file)")
    evaluate.add_argument("--text-column", help="classifier data: text column name or index (default: the model's)")
    evaluate.add_argument("--label-column", help="classifier data: label column name or index (default: the model's)")
    evaluate.add_argument("--source-column", help="translator data: source column or field (default: the model's)")
    evaluate.add_argument("--target-column", help="translator data: target column or field (default: the model's)")
    evaluate.add_argument("--beam", type=int, default=None,
                          help="translator: also score this beam size besides greedy (default: the model's, 1: greedy only)")
    evaluate.set_defaults(run=_evaluate)

    translate = commands.add_parser("translate", help="translate sentences with a translator, one per line")
    translate.add_argument("--model", required=True)
    translate.add_argument("texts", nargs="*", help="sentences to translate (else --input, else standard input)")
    translate.add_argument("--input", help="a file of sentences, one per line; - reads standard input")
    translate.add_argument("--beam", type=int, default=1, help="beam size; 1 is greedy decoding")
    translate.add_argument("--length-penalty", type=float, default=None, help="beam search alpha (default: the model's)")
    translate.add_argument("--batch-size", type=int, default=64)
    translate.set_defaults(run=_translate)

    classify = commands.add_parser("classify", help="label texts with a classifier: label, probability, text")
    classify.add_argument("--model", required=True, action="append",
                          help="a classifier directory; repeat it to average several (ULMFiT's forward and backward)")
    classify.add_argument("texts", nargs="*", help="texts to classify")
    classify.add_argument("--input", help="a file of texts, one per line")
    classify.add_argument("--batch-size", type=int, default=64)
    classify.add_argument("--json", action="store_true", help="one JSON object per text, all probabilities")
    classify.set_defaults(run=_classify)

    generate = commands.add_parser("generate", help="sample text from a language model")
    generate.add_argument("--model", required=True)
    generate.add_argument("--prompt", default="")
    generate.add_argument("--max-length", type=int, default=300)
    generate.add_argument("--sampler", default="top_k", choices=["greedy", "temperature", "top_k", "top_p"])
    generate.add_argument("--temperature", type=float, default=None)
    generate.add_argument("--top-k", type=int, default=40)
    generate.add_argument("--top-p", type=float, default=0.9)
    generate.add_argument("--seed", type=int, default=None)
    generate.add_argument("--num-samples", type=int, default=1)
    generate.add_argument("--escapes", action="store_true", help=r"interpret \n in the prompt")
    generate.set_defaults(run=_generate)

    export = commands.add_parser("export", help="export a trained model to run on devices")
    formats = export.add_subparsers(dest="format", required=True)
    tflite = formats.add_parser(
        "tflite", help="TFLite (LiteRT) with builtin ops, fused LSTM and explicit states, verified against Keras")
    tflite.add_argument("--model", required=True, help="a directory written by seqtk train")
    tflite.add_argument("--quantize", default="none", choices=["none", "float16", "dynamic", "int8"])
    tflite.add_argument("--representative-data", help="real examples, one per line or in the task's data format: "
                                                       "calibrate int8 and verify (default: the model's own data)")
    tflite.add_argument("--output", help="the export folder (default: <model>_tflite[_<quantize>])")
    tflite.add_argument("--loop", default="auto", choices=["auto", "while", "unrolled"],
                        help="GRU/SimpleRNN recurrence: a WHILE loop, an unrolled fixed-length graph, or the faster")
    tflite.add_argument("--lstm-step", default="fused", choices=["fused", "cell", "auto"],
                        help="LSTM generation step: the fused op, FULLY_CONNECTED gates (faster on XNNPACK, "
                             "weights stored twice) or the faster of the two")
    tflite.set_defaults(run=_export_tflite)

    run_tflite = commands.add_parser(
        "run-tflite", help="generate, classify or translate with an exported folder and the LiteRT interpreter")
    run_tflite.add_argument("directory", help="a folder written by seqtk export tflite")
    run_tflite.add_argument("texts", nargs="*", help="prompts, texts or sentences (else --input or standard input)")
    run_tflite.add_argument("--input", help="a file of texts, one per line; - reads standard input")
    run_tflite.add_argument("--beam", type=int, default=1, help="translator: beam size; 1 is greedy")
    run_tflite.add_argument("--length-penalty", type=float, default=None, help="translator: beam search alpha")
    run_tflite.add_argument("--max-length", type=int, default=200, help="language model: tokens to generate")
    run_tflite.add_argument("--temperature", type=float, default=1.0, help="language model: 0 is greedy")
    run_tflite.add_argument("--top-k", type=int, default=40)
    run_tflite.add_argument("--top-p", type=float, default=1.0)
    run_tflite.add_argument("--seed", type=int, default=None)
    run_tflite.add_argument("--threads", type=int, default=None, help="interpreter threads")
    run_tflite.set_defaults(run=_run_tflite)
    return parser


def main(argv=None):
    _quiet_tensorflow()
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as error:
        print(f"seqtk: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
