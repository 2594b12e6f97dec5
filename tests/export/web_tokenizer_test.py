"""The web page's tokenizers give Python's ids: web/scripts/encode.mjs (the page's JavaScript, run by Node)
against seqtk's own tokenizers, on a real corpus and on text that trips normalizers up."""

import json
import os
import shutil
import subprocess

import pytest
from shipped_models import shipped_model

from seqtk.data.labeled_text import read_labeled
from seqtk.tokenizers import load_tokenizer

WEB = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "web")
TRICKY = ["It's \"great\"!<br />Really.", "Don't &amp; can't... x--y 3.5 u.s.a. done.", "Café's naïve ÉTÉ 2024",
          "line one\nline two", "emoji 😀 and ☃", "a\ud800b", "", "   spaced\tout  ", "(parens) [brackets] {x}",
          "she'd've", "'quoted' \"twice\" \"", "&notanentity; &eacute &#x41;"]


def web_ids(folder, texts, *mode):
    assert shutil.which("node"), "Node.js 20 runs the web page's JavaScript (scripts/setup.sh builds web/ with it)"
    result = subprocess.run(["node", os.path.join(WEB, "scripts", "encode.mjs"), str(folder), *mode],
                            input=json.dumps(texts), capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)


# SentencePiece, characters, and words (a tagger's word side: lowercased, digits zeroed).
@pytest.mark.parametrize("preset", ["sst2_ulmfit_bidirectional", "shakespeare_char_large", "ud_ewt_upos/word_tokenizer"])
def test_the_page_encodes_as_python(preset, tmp_path):
    from seqtk.export.tflite_exporter import _tokenizer_entry

    name, _, inside = preset.partition("/")
    tokenizer = load_tokenizer(os.path.join(shipped_model(name), inside))
    tokenizer.save(str(tmp_path))
    (tmp_path / "metadata.json").write_text(json.dumps({"tokenizer": _tokenizer_entry(tokenizer)}))
    texts = [e.text for e in read_labeled("bundled:sst2_dev", text_column="sentence", label_column="label")] + TRICKY
    found = web_ids(tmp_path, texts)
    for text, ids in zip(texts, found, strict=True):
        assert ids == list(tokenizer.encode(text)), text
    # And back: the page decodes ids (line breaks, padding and unknown ones among them) as Python does.
    id_lists = found[:200] + [[0, 5, 0], [tokenizer.newline_id, 7, tokenizer.newline_id, 9, tokenizer.newline_id], []]
    assert web_ids(tmp_path, id_lists, "--decode") == [tokenizer.decode(ids) for ids in id_lists]


def test_a_translators_pair_encodes_its_source_and_decodes_its_target_as_python(tmp_path):
    from seqtk.data.parallel_text import read_parallel
    from seqtk.export.tflite_exporter import _tokenizer_entry

    tokenizer = load_tokenizer(shipped_model("tatoeba_fr_en"))
    tokenizer.save(str(tmp_path))
    (tmp_path / "metadata.json").write_text(json.dumps({"tokenizer": _tokenizer_entry(tokenizer)}))
    pairs = read_parallel("bundled:tatoeba_fr_en_valid_full")[:300]
    sources = [p.source for p in pairs] + TRICKY
    assert web_ids(tmp_path, sources) == [list(tokenizer.source.encode(s)) for s in sources]
    targets = [list(tokenizer.target.encode(p.target)) for p in pairs] + [[], [0, 5, 0]]
    result = subprocess.run(["node", os.path.join(WEB, "scripts", "encode.mjs"), str(tmp_path), "--decode"],
                            input=json.dumps(targets), capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout) == [tokenizer.target.decode(ids) for ids in targets]


def test_a_taggers_words_and_characters_encode_as_python(tmp_path):
    from seqtk.data.tagged_text import read_tagged
    from seqtk.data.text_sources import BUNDLED

    tokenizer = load_tokenizer(shipped_model("ud_ewt_upos"))
    tokenizer.save(str(tmp_path))
    width = 20
    (tmp_path / "metadata.json").write_text(json.dumps({"max_word_length": width}))
    sentences = [list(s.tokens) for s in read_tagged([BUNDLED["ud_ewt_dev"]], "conllu", "upos")]
    # Digits zeroed, case folded for lookup only, words past 20 characters cut in the middle, <pad>/<eos> unknown,
    # characters outside the vocabulary, a token the normalizer empties, one with a space inside (UD allows it).
    sentences += [["İstanbul", "ΣΟΦΟΣ", "Straße", "2024-12-07", "supercalifragilisticexpialidocious", "<pad>", "<eos>",
                   "<unk>", "😀x", "\u00a0", "New York"]]
    found = web_ids(tmp_path, sentences, "--tokens")
    for tokens, encoded in zip(sentences, found, strict=True):
        word_ids, char_ids = tokenizer.encode_tokens(tokens, width)
        assert encoded["wordIds"] == word_ids.tolist(), tokens
        assert encoded["charIds"] == [[int(i) for i in row if i] for row in char_ids], tokens
