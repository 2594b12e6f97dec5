"""Small real data for each task, written as files a config names (bundled samples): shared by the tests
that train every task."""

from seqtk.data.labeled_text import read_labeled
from seqtk.data.parallel_text import read_parallel
from seqtk.data.tagged_text import read_tagged
from seqtk.data.text_sources import BUNDLED, read_text_file


def write_task_samples(root):
    """Writes tiny Shakespeare (4,000 characters), 160 + 64 SST-2 sentences, 128 + 16 Tatoeba pairs and 160 + 48
    UD EWT sentences (UPOS, at most 24 words) under `root`; returns their paths: `corpus`, `sentiment_train`,
    `sentiment_dev`, `pairs_train`, `pairs_valid`, `tagged_train`, `tagged_dev`.
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
    return paths


def conllu(sentences):
    """CoNLL-U text of tagged sentences: each word's form and its tag as UPOS, the other columns `_`."""
    return "".join("".join(f"{i}\t{word}\t_\t{tag}\t_\t_\t_\t_\t_\t_\n"
                           for i, (word, tag) in enumerate(zip(s.tokens, s.tags, strict=True), start=1)) + "\n"
                   for s in sentences)
