"""TextGenerator: the compiled generation loop against step-by-step references."""

import numpy as np

from seqtk.generation import TextGenerator, generate
from seqtk.models import LanguageModel


class TextGeneratorTest:
    def test_same_seed_same_text(self, model_and_tokenizer):
        model, tokenizer = model_and_tokenizer
        generator = TextGenerator(model, tokenizer, sampler="top_p", p=0.95)
        first = generator.generate("To be", max_length=40, seed=11)
        assert first == generator.generate("To be", max_length=40, seed=11)
        assert first != generator.generate("To be", max_length=40, seed=12)
        assert first.startswith("To be") and len(first) == len("To be") + 40
        # The loop draws its random numbers for all steps at once, in step order: a shorter run is a prefix.
        assert first.startswith(generator.generate("To be", max_length=15, seed=11))

    def test_greedy_loop_equals_step_by_step_argmax(self, model_and_tokenizer):
        model, tokenizer = model_and_tokenizer
        prompt = tokenizer.encode("the ")
        generated = TextGenerator(model, tokenizer).generate_ids([prompt], max_length=15)[0].tolist()
        ids, expected = list(prompt), []
        for _ in range(15):
            next_id = int(np.argmax(model(np.array([ids]))[0, -1, 1:])) + 1  # padding is never generated
            expected.append(next_id)
            ids.append(next_id)
        assert generated == expected

    def test_batch_of_prompts_of_different_lengths_matches_single_prompts(self, model_and_tokenizer):
        model, tokenizer = model_and_tokenizer
        generator = TextGenerator(model, tokenizer)
        batch = generator.generate(["To", "Whether 'tis"], max_length=10)
        assert batch == [generator.generate("To", max_length=10), generator.generate("Whether 'tis", max_length=10)]

    def test_prompt_outside_character_vocabulary_reads_unk(self, model_and_tokenizer):
        model, tokenizer = model_and_tokenizer
        assert "Z" not in tokenizer.characters
        assert tokenizer.encode("Zebra")[0] == tokenizer.unknown_id
        text = generate(model, tokenizer, "Zebra", max_length=5)
        assert text.startswith("Zebra") and len(text) == 10  # the prompt as given, then what the model wrote


def test_a_subword_continuation_keeps_the_space_after_the_prompt():
    from seqtk.generation.text_generator import TextGenerator
    from seqtk.tokenizers import SentencePieceTokenizer

    tokenizer = SentencePieceTokenizer.train_from_texts(["this movie is good . this movie is bad ."] * 50,
                                                        vocabulary_size=19)
    generator = TextGenerator(model=None, tokenizer=tokenizer)
    prompt = tokenizer.encode("this movie")
    assert generator._continuation(prompt, tokenizer.encode("is good")) == " is good"


def test_a_backward_model_writes_what_comes_before_the_prompt(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    backward = LanguageModel.from_config({**model.get_config(), "reverse": True})
    backward(np.array([[1]]))
    backward.set_weights(model.get_weights())
    prompt = tokenizer.encode("to be")
    # The backward model is the forward weights read right to left: its text is the forward
    # model's continuation of the reversed prompt, reversed, then the prompt.
    forward_ids = TextGenerator(model, tokenizer).generate_ids([prompt[::-1]], max_length=12)[0].tolist()
    text = TextGenerator(backward, tokenizer).generate("to be", max_length=12)
    assert text == tokenizer.decode(forward_ids[::-1] + prompt)
    assert text.endswith("to be") and len(text) == len("to be") + 12
