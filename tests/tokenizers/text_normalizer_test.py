import pytest

from seqtk.tokenizers import SentencePieceTokenizer, WordTokenizer, load_tokenizer
from seqtk.tokenizers.build_tokenizer import build_tokenizer
from seqtk.tokenizers.text_normalizer import TextNormalizer
from seqtk.training.config import TokenizerConfig

ALL = ["strip_html", "lowercase", "split_punctuation"]
IMDB_LINE = 'It\'s "great"!<br /><br />I can\'t say more... 3.5 stars, (honestly) &amp; it doesn\'t drag.'
# What the Stanford Sentiment Treebank's tokenization makes of that line.
SST_LINE = "it 's `` great '' ! i ca n't say more ... 3.5 stars , ( honestly ) & it does n't drag ."


def test_all_steps_turn_a_raw_review_into_sst_style_text():
    assert TextNormalizer(ALL)(IMDB_LINE) == SST_LINE


def test_normalizing_sst_text_again_changes_nothing():
    normalize = TextNormalizer(ALL)
    assert normalize(SST_LINE) == SST_LINE
    sst = "if the movie succeeds in instilling a wary sense of ` there but for the grace of god , ' it is far ."
    assert normalize(sst) == sst


def test_steps_run_in_a_fixed_order_and_each_alone():
    assert TextNormalizer(["split_punctuation", "strip_html"]).steps == ("strip_html", "split_punctuation")
    assert TextNormalizer(["lowercase"])("A <b>B</b>") == "a <b>b</b>"
    assert TextNormalizer(["strip_html"])("A<br />B &lt;3") == "A B <3"
    assert TextNormalizer()("Keep   THIS") == "Keep   THIS"


def test_newlines_survive_so_line_ends_still_become_end_of_line_tokens():
    assert TextNormalizer(ALL)("One.<br />Two!\nThree") == "one . two !\nthree"


def test_unknown_step_is_a_clear_error():
    with pytest.raises(ValueError, match=r"unknown text normalization step\(s\) \['stem'\]"):
        TextNormalizer(["lowercase", "stem"])


def test_word_tokenizer_from_config_normalizes_at_training_and_encoding_and_saves_it(tmp_path):
    tokenizer = build_tokenizer(TokenizerConfig(kind="word", normalize=ALL), [("a", "The film doesn't work.<br />It's dull!")])
    assert "n't" in tokenizer.words and "<br" not in " ".join(tokenizer.words)
    ids = tokenizer.encode("THE FILM DOESN'T WORK.")
    assert tokenizer.unk_id not in ids
    assert tokenizer.decode(ids) == "the film does n't work ."
    tokenizer.save(tmp_path)
    loaded = load_tokenizer(tmp_path)
    assert loaded.normalizer.steps == tuple(ALL)
    assert loaded.encode("It's DULL!") == tokenizer.encode("it 's dull !")


def test_sentencepiece_tokenizer_keeps_its_normalizer_through_save_and_load(tmp_path):
    texts = [f"Review {i}: It's GOOD.<br />I didn't expect that, honestly!" for i in range(200)]
    settings = TokenizerConfig(kind="sentencepiece", vocabulary_size=50, normalize=ALL)
    tokenizer = build_tokenizer(settings, [("a", "\n".join(texts))])
    assert isinstance(tokenizer, SentencePieceTokenizer)
    tokenizer.save(tmp_path)
    loaded = load_tokenizer(tmp_path)
    assert loaded.encode(texts[3]) == tokenizer.encode(texts[3]) == tokenizer.encode(TextNormalizer(ALL)(texts[3]))
    assert loaded.decode(loaded.encode("It's GOOD.")) == "it 's good ."


def test_tokenizers_saved_before_normalization_existed_load_unchanged(tmp_path):
    WordTokenizer(["a", "b"]).save(tmp_path)
    loaded = load_tokenizer(tmp_path)
    assert not loaded.normalizer and loaded.encode("a B") == [3, 1]


def test_zero_digits_maps_every_digit_to_zero_and_keeps_the_rest():
    assert TextNormalizer(["zero_digits"])("In 1999, 3.5% of ٣ cats\nline 2") == "In 0000, 0.0% of 0 cats\nline 0"
    assert TextNormalizer(["lowercase", "zero_digits"])("COVID-19") == "covid-00"
