"""Matrix product of every time step with one kernel, as a single 2-D product."""

from keras import ops


def sequence_matmul(inputs, kernel):
    """`inputs (..., features) @ kernel (features, units)`, flattened to 2-D.

    TensorFlow runs a 3-D `matmul` as a batched product whose gradient is about
    twice as slow on CPU as the same work as one 2-D product (bench/lm_speed.py).
    """
    leading = ops.shape(inputs)[:-1]
    flat = ops.reshape(inputs, (-1, inputs.shape[-1]))
    return ops.reshape(ops.matmul(flat, kernel), (*leading, kernel.shape[-1]))
