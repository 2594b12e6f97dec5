"""The `seqtk` command: train, evaluate and generate."""

import argparse
import json
import os
import sys


def _quiet_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _train(args):
    from seqtk.training.config import load_config
    from seqtk.training.language_model_trainer import train_language_model

    if args.task != "lm":
        print(f"seqtk train {args.task}: not available yet; this version trains language models (lm).",
              file=sys.stderr)
        return 2
    config_source = args.config
    if args.init_from and not config_source:
        # Fine-tuning without a config keeps the base model's own training settings.
        config_source = os.path.join(args.init_from, "config.yaml")
        if not os.path.exists(config_source):
            raise FileNotFoundError(f"{args.init_from}: not a seqtk model directory (no config.yaml); "
                                    "give --config as well.")
    overrides = list(args.set or ())
    if args.init_from and not any(o.startswith("name=") for o in overrides):
        base_name = os.path.basename(os.path.normpath(args.init_from))
        overrides.append(f"name={base_name}_finetuned")
    config = load_config(config_source, overrides=overrides, data=args.data)
    train_language_model(config, init_from=args.init_from, resume=args.resume)
    return 0


def _evaluate(args):
    from seqtk.data.text_sources import read_texts
    from seqtk.models.model_directory import load_model_directory
    from seqtk.tokenizers.char_tokenizer import CharTokenizer
    from seqtk.training.evaluation import evaluate_language_model
    from seqtk.training.language_model_trainer import encode_texts

    model, tokenizer, config = load_model_directory(args.model)
    ids = encode_texts(tokenizer, read_texts(args.data))
    training = (config or {}).get("training", {})
    result = evaluate_language_model(
        model, ids, batch_size=args.batch_size, sequence_length=training.get("sequence_length", 35),
        character_level=isinstance(tokenizer, CharTokenizer),
    )
    print(json.dumps(result, indent=2))
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
    train.add_argument("--config", help="named config (shakespeare_char, ptb_small, ...) or a YAML file")
    train.add_argument("--data", nargs="+", help="training text files or globs; replaces the config's corpus")
    train.add_argument("--set", action="append", metavar="KEY=VALUE", help="override, e.g. training.epochs=3")
    train.add_argument("--init-from", help="fine-tune this saved model directory")
    train.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    train.set_defaults(run=_train)

    evaluate = commands.add_parser("evaluate", help="perplexity / bits per character on text files")
    evaluate.add_argument("--model", required=True)
    evaluate.add_argument("--data", required=True, nargs="+")
    evaluate.add_argument("--batch-size", type=int, default=10)
    evaluate.set_defaults(run=_evaluate)

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
