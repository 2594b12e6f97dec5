"""Small real data for each task, written as files a config names (bundled samples): shared by the tests
that train every task."""

from seqtk.data.labeled_text import read_labeled
from seqtk.data.parallel_text import read_parallel
from seqtk.data.tagged_text import read_tagged
from seqtk.data.text_sources import BUNDLED, read_text_file


def write_task_samples(root):
    """Writes tiny Shakespeare (4,000 characters), 160 + 64 SST-2 sentences, 128 + 16 Tatoeba pairs and 160 + 48
    UD EWT sentences (UPOS, at most 24 words) under `root`; returns their paths: `corpus`, `sentiment_train`,
    `sentiment_dev`, `pairs_train`, `pairs_valid`, `tagged_train`, `tagged_dev`, and `lm_validation`.
    Every batch size the tests use (4 streams, 16 texts or pairs) divides them into full batches."""
    paths = {"corpus": root / "corpus.txt"}
    paths["corpus"].write_text(read_text_file(BUNDLED["tinyshakespeare"])[:4000], encoding="utf-8")
    examples = read_labeled("bundled:sst2_sentences_train")
    for name, part in (("train", examples[:160]), ("dev", examples[160:224])):
        paths[f"sentiment_{name}"] = root / f"{name}.tsv"
        paths[f"sentiment_{name}"].write_text(
            "sentence\tlabel\n" + "".join(f"{e.text}\t{e.label}\n" for e in part), encoding="utf-8")
    pairs = read_parallel(["bundled:tatoeba_fr_en_train"])
    for name, part in (("train", pairs[:128]), ("valid", pairs[128:144])):
        paths[f"pairs_{name}"] = root / f"{name}_pairs.tsv"
        paths[f"pairs_{name}"].write_text("".join(f"{p.source}\t{p.target}\n" for p in part), encoding="utf-8")
    short = [s for s in read_tagged(["bundled:ud_ewt_sample_train"]) if len(s.tokens) <= 24]
    for name, part in (("train", short[:160]), ("dev", short[160:208])):
        paths[f"tagged_{name}"] = root / f"{name}_tagged.conllu"
        paths[f"tagged_{name}"].write_text(conllu(part), encoding="utf-8")
    # A language-model validation file apart from the corpus, with characters it lacks (digits, a degree sign).
    paths["lm_validation"] = root / "modern.txt"
    paths["lm_validation"].write_text(read_text_file(BUNDLED["tinyshakespeare"])[4000:5000] + "\nIn 1599, at 20 °C.\n",
                                      encoding="utf-8")
    return paths


def conllu(sentences):
    """CoNLL-U text of tagged sentences: each word's form and its tag as UPOS, the other columns `_`."""
    return "".join("".join(f"{i}\t{word}\t_\t{tag}\t_\t_\t_\t_\t_\t_\n"
                           for i, (word, tag) in enumerate(zip(s.tokens, s.tags, strict=True), start=1)) + "\n"
                   for s in sentences)


def tiny_settings(task, samples):
    """`--set` overrides that train a tiny model of `task` on `samples` (`write_task_samples`) in seconds, the
    batches full (4 streams, 16 texts, pairs or sentences). Every registered task needs an entry here: the
    generic-option, crash, streaming and distribution tests run every task the registry holds."""
    settings = {
        "lm": [f"data.train=[{samples['corpus']}]", "data.validation=[]", "tokenizer.kind=char",
               "model.embedding_dim=8", "model.hidden_dim=8", "model.num_layers=1", "training.batch_size=4",
               "training.sequence_length=20", "training.eval_batch_size=4", "sample_length=5"],
        "classifier": [f"data.train=[{samples['sentiment_train']}]", f"data.validation=[{samples['sentiment_dev']}]",
                       "tokenizer.kind=word", "model.embedding_dim=8", "model.hidden_dim=8",
                       "training.batch_size=16", "training.eval_batch_size=16", "data.max_length=40"],
        "translator": [f"data.train=[{samples['pairs_train']}]", f"data.validation=[{samples['pairs_valid']}]",
                       "tokenizer.source.kind=word", "tokenizer.target.kind=word", "model.embedding_dim=8",
                       "model.hidden_dim=8", "model.num_layers=1", "training.batch_size=16",
                       "training.eval_batch_size=16", "training.beam_size=1", "data.max_source_length=30",
                       "data.max_target_length=30"],
        "tagger": [f"data.train=[{samples['tagged_train']}]", f"data.validation=[{samples['tagged_dev']}]",
                   "model.embedding_dim=8", "model.char_embedding_dim=4", "model.char_hidden_dim=4",
                   "model.hidden_dim=8", "training.batch_size=16", "training.eval_batch_size=16",
                   "data.max_word_length=8"],
    }
    if task not in settings:
        raise KeyError(f"the {task} task has no tiny settings: add them to tests/training/task_samples.py")
    return settings[task]


def validation_file(task, samples):
    """The validation file of `task`'s tiny settings (the language model's: a file apart from its corpus)."""
    return {"lm": samples["lm_validation"], "classifier": samples["sentiment_dev"], "translator": samples["pairs_valid"],
            "tagger": samples["tagged_dev"]}[task]
