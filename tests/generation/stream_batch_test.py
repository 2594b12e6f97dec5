"""StreamBatch with the Keras step runner: rows that join and leave a running batch draw what they draw alone,
and the step runner's logits equal a full forward pass."""

import numpy as np
import pytest

from seqtk.generation.step_runner import KerasStepRunner, bucket
from seqtk.generation.stream_batch import Stream, StreamBatch
from seqtk.generation.text_generator import TextGenerator


@pytest.fixture(scope="module")
def runner_and_tokenizer(model_and_tokenizer):
    model, tokenizer = model_and_tokenizer
    return KerasStepRunner(model), tokenizer


def alone(runner, tokenizer, prompt, max_tokens, filters, seed):
    stream = Stream(prompt, tokenizer, max_tokens, filters, seed)
    batch = StreamBatch(runner, max_batch=1)
    batch.add(stream)
    batch.run()
    return stream.text()


class StreamBatchTest:
    def test_bucket_sizes(self):
        assert [bucket(n) for n in (1, 2, 3, 5, 8, 9, 64)] == [1, 2, 4, 8, 8, 16, 64]

    def test_step_logits_equal_a_full_forward_pass(self, runner_and_tokenizer):
        runner, tokenizer = runner_and_tokenizer
        ids = [tokenizer.encode("To be, or"), tokenizer.encode("the")]
        logits, states = runner.prefill(ids)
        for row, prompt in enumerate(ids):
            full = np.asarray(runner.model(np.array([prompt]), training=False))[0, -1]
            np.testing.assert_allclose(logits[row], full, atol=1e-5)
        logits, _ = runner.step(np.array([5, 6]), states)
        full = np.asarray(runner.model(np.array([ids[0] + [5]]), training=False))[0, -1]
        np.testing.assert_allclose(logits[0], full, atol=1e-5)

    def test_greedy_equals_the_compiled_loop(self, runner_and_tokenizer):
        runner, tokenizer = runner_and_tokenizer
        expected = TextGenerator(runner.model, tokenizer).generate("To be", max_length=25)
        assert alone(runner, tokenizer, "To be", 25, (0.0, 0, 1.0), None) == expected

    def test_rows_joining_and_leaving_draw_what_they_draw_alone(self, runner_and_tokenizer):
        runner, tokenizer = runner_and_tokenizer
        requests = [("To be", 12, 1), ("the mind", 30, 2), ("W", 5, 3), ("", 20, 4), ("suffer", 17, 5)]
        batch = StreamBatch(runner, max_batch=3)  # fewer rows than streams: some wait for a free row
        streams = [batch.add(Stream(p, tokenizer, n, (0.9, 10, 1.0), seed)) for p, n, seed in requests[:3]]
        batch.step()
        batch.step()
        streams += [batch.add(Stream(p, tokenizer, n, (0.9, 10, 1.0), seed)) for p, n, seed in requests[3:]]
        pieces = {id(s): "" for s in streams}
        while batch.busy:
            assert len(batch.running) <= 3
            for stream, piece in batch.step():
                pieces[id(stream)] += piece
        for stream, (prompt, n, seed) in zip(streams, requests, strict=True):
            assert len(stream.generated) == n
            assert stream.text() == alone(runner, tokenizer, prompt, n, (0.9, 10, 1.0), seed)
        assert pieces[id(streams[3])] + pieces[id(streams[0])] != ""
        assert streams[4].prompt + pieces[id(streams[4])] == streams[4].text()

    def test_a_cancelled_stream_leaves_at_the_next_step(self, runner_and_tokenizer):
        runner, tokenizer = runner_and_tokenizer
        batch = StreamBatch(runner, max_batch=2)
        first = batch.add(Stream("To", tokenizer, 50, (0.0, 0, 1.0)))
        second = batch.add(Stream("be", tokenizer, 50, (0.0, 0, 1.0)))
        waiting = batch.add(Stream("or", tokenizer, 3, (0.0, 0, 1.0)))
        batch.step()
        first.cancelled = True
        batch.step()
        assert batch.running == [second, waiting]
        assert len(first.generated) == 1
