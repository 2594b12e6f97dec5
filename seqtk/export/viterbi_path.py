"""The Viterbi search of a linear-chain CRF in numpy, for taggers whose file gives only the per-token scores
(the web target: LiteRT.js cannot run the search's WHILE loops, so the app runs it; web/src/viterbi.js is the
same search in JavaScript)."""

import numpy as np


def viterbi_path(scores, transitions, start, end):
    """The best tag sequence (int64 `(time,)`) for one sentence's `(time, tags)` scores: the one with the
    highest sum of its tags' scores, `transitions[previous, next]` between them, `start` of its first tag and
    `end` of its last. Ties go to the lower tag id, as `argmax` (and the CRF layer's decode) break them.

    Example:
    >>> viterbi_path(np.array([[1.0, 0.0], [0.0, 1.0]]), np.zeros((2, 2)), np.zeros(2), np.zeros(2))
    array([0, 1])
    """
    scores = np.asarray(scores, np.float32)
    transitions = np.asarray(transitions, np.float32)
    best = np.asarray(start, np.float32) + scores[0]
    pointers = []
    for emissions in scores[1:]:
        candidates = best[:, None] + transitions
        pointers.append(np.argmax(candidates, axis=0))
        best = np.max(candidates, axis=0) + emissions
    path = [int(np.argmax(best + np.asarray(end, np.float32)))]
    for pointer in reversed(pointers):
        path.append(int(pointer[path[-1]]))
    return np.array(path[::-1])
