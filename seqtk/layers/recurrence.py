"""The training recurrence of LSTM, GRU and SimpleRNN, with a whole-sequence gradient.

Automatic differentiation of a `while_loop` accumulates the recurrent kernel's
gradient one small product per step inside the backward loop. Here the
backward loop computes only what must be sequential: each step's gate
gradients `dz_t` and the state gradient `dh_{t-1} = dz_t · Wᵀ`. The kernel's
gradient is then one large product after the loop, `dW = H_prevᵀ · dZ` over all
steps, which runs near the machine's matrix-product peak (bench/recurrent_gradient.py:
2.3x less time than autodiff for an LSTM at 650 units on CPU).

The functions take time-major inputs that already hold the input projection
and its bias, so the input kernel's gradient (`Xᵀ · dZ`) is also one product,
left to automatic differentiation of that projection.
"""

import tensorflow as tf

GATES = {"lstm": 4, "gru": 3, "simple_rnn": 1}


def recurrence(cell_type, xs, kernel, states, recurrent_bias=None, mask=None, state_mask=None):
    """Runs one recurrent layer over time and returns `(outputs, final_states)`.

    Args:
        cell_type: `"lstm"`, `"gru"` (Keras' `reset_after=True` form) or `"simple_rnn"`.
        xs: `(time, batch, gates * units)` projected inputs, input bias included.
        kernel: `(units, gates * units)` recurrent kernel (weight-dropped already).
        states: `[h, c]` for LSTM, `[h]` otherwise, each `(batch, units)`.
        recurrent_bias: GRU only, `(3 * units,)`, added to the recurrent product.
        mask: optional `(time, batch)` boolean; a masked step keeps the state
            and outputs zeros (Keras' `zero_output_for_mask`).
        state_mask: optional `(batch, units)` recurrent-dropout mask applied to
            the state before the recurrent product, shared by all steps.

    Returns:
        `outputs (time, batch, units)` and the list of final states.

    Gradients with respect to `xs`, `kernel`, `states` and `recurrent_bias` are
    exact (tests/layers/recurrence_test.py checks them against automatic
    differentiation); `mask` and `state_mask` are constants.
    """
    # A variable read inside a custom gradient would need the `variables` protocol; a tensor does not.
    kernel = tf.convert_to_tensor(kernel)
    step_mask = None if mask is None else tf.cast(mask, xs.dtype)[:, :, None]
    if cell_type == "lstm":
        outputs, h, c = _lstm(step_mask, state_mask)(xs, kernel, states[0], states[1])
        return outputs, [h, c]
    if cell_type == "gru":
        outputs, h = _gru(step_mask, state_mask)(xs, kernel, tf.convert_to_tensor(recurrent_bias), states[0])
        return outputs, [h]
    if cell_type == "simple_rnn":
        outputs, h = _simple_rnn(step_mask, state_mask)(xs, kernel, states[0])
        return outputs, [h]
    raise ValueError(f"cell_type must be one of {tuple(GATES)}; received cell_type={cell_type!r}.")


# A loop of at most this many steps, of a length known when traced, in these types, is unrolled outside XLA
# (bench/recurrent_layer_speed.py: in bfloat16 a 650-unit layer's pass took 38.7 ms unrolled against 44.5 looped;
# in float32 unrolling measured slower at 650 units, 55.9 against 49.6, and float32 trains in XLA anyway).
UNROLL_STEPS = 64
UNROLL_DTYPES = (tf.bfloat16, tf.float16)


def _in_xla():
    """Whether the graph being traced is compiled with XLA (`tf.function(jit_compile=True)`, Keras' XLA steps)."""
    try:  # TensorFlow marks the graph of a jit_compile function with an XLA context; no public call tells it
        from tensorflow.python.framework import ops
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # pragma: no cover - keep the loop, right in both
        return True
    return control_flow_util.GraphOrParentsInXlaContext(ops.get_default_graph())


class _StepList:
    """What `_loop`'s bodies use of a TensorArray (`write`, `stack`), as a list for an unrolled loop."""

    def __init__(self, size):
        self.items = [None] * size

    def write(self, index, value):
        self.items[index] = value
        return self

    def stack(self):
        return tf.stack(self.items)


def _unrolled(steps, dtype):
    """Whether `_loop` unrolls a loop of `steps` steps in `dtype`.

    Outside XLA a short 16-bit loop of known length is unrolled: TensorFlow's executor spends ~100 µs per
    while-loop iteration around a step of a few µs. Inside XLA the loop stays (unrolling five steps there saved
    under 3%, and compiling grows with the length).
    """
    return isinstance(steps, int) and steps <= UNROLL_STEPS and dtype in UNROLL_DTYPES and not _in_xla()


def _per_step(tensor, steps):
    """`tensor`, time-major, for a loop body to index by step: one unstack for an unrolled loop (a slice per
    step and tensor costs the executor microseconds each), the tensor itself for a `tf.while_loop`."""
    if tensor is None or not _unrolled(steps, tensor.dtype):
        return tensor
    return tf.unstack(tensor, num=steps)


def _loop(body, steps, start, carried, arrays, dtype, backwards=False):
    """`tf.while_loop` over `steps` writing one entry of each of `arrays` TensorArrays per step; unrolled where
    `_unrolled` says."""
    if _unrolled(steps, dtype):
        state = (start, *carried, *[_StepList(steps) for _ in range(arrays)])
        for t in range(steps - 1, -1, -1) if backwards else range(steps):
            state = body(t, *state[1:])
        return state[1 : 1 + len(carried)], [array.stack() for array in state[1 + len(carried) :]]
    tensor_arrays = [tf.TensorArray(dtype, size=steps) for _ in range(arrays)]
    if backwards:
        condition = lambda t, *rest: t >= 0  # noqa: E731
    else:
        condition = lambda t, *rest: t < steps  # noqa: E731
    # XLA needs a bound on the iterations to compile a loop that writes TensorArrays.
    results = tf.while_loop(condition, body, (start, *carried, *tensor_arrays), maximum_iterations=steps)
    carried_out = results[1 : 1 + len(carried)]
    return carried_out, [array.stack() for array in results[1 + len(carried) :]]


def _steps(xs):
    # A static count keeps the time dimension of the stacked outputs known: with an unknown one, later shape
    # checks (the loss's logits against its labels) become run-time Assert ops, which XLA and TPUs refuse.
    return xs.shape[0] if xs.shape[0] is not None else tf.shape(xs)[0]


def _masked(new, old, m):
    return new if m is None else m * new + (1 - m) * old


def _previous(first, stacked):
    """Each step's incoming state: `first` then every stacked state but the last."""
    return tf.concat([first[None], stacked[:-1]], 0)


def _dropped(h, state_mask):
    return h if state_mask is None else h * state_mask


def _weight_gradient(inputs, gradients):
    """`Σ_t inputs_tᵀ · gradients_t` as one 2-D product."""
    return tf.matmul(
        tf.reshape(inputs, [-1, inputs.shape[-1]]),
        tf.reshape(gradients, [-1, gradients.shape[-1]]),
        transpose_a=True,
    )


def _zeros_if_none(gradient, like):
    # A state looked up by gather (a tagger's spelled words) gets its gradient as IndexedSlices.
    return tf.zeros_like(like) if gradient is None else tf.convert_to_tensor(gradient)


def _lstm(m, state_mask):
    @tf.custom_gradient
    def lstm(xs, kernel, h0, c0):
        steps = _steps(xs)
        x_steps, m_steps = _per_step(xs, steps), _per_step(m, steps)

        def body(t, h, c, hs, cs, activations):
            z = x_steps[t] + tf.matmul(_dropped(h, state_mask), kernel)
            i, f, g, o = tf.split(z, 4, axis=1)
            i, f, g, o = tf.sigmoid(i), tf.sigmoid(f), tf.tanh(g), tf.sigmoid(o)
            c_new = f * c + i * g
            h_new = o * tf.tanh(c_new)
            mt = None if m is None else m_steps[t]
            h, c = _masked(h_new, h, mt), _masked(c_new, c, mt)
            activations = activations.write(t, tf.concat([i, f, g, o], 1))
            return t + 1, h, c, hs.write(t, h), cs.write(t, c), activations

        (h, c), (hs, cs, activations) = _loop(body, steps, 0, [h0, c0], 3, xs.dtype)
        outputs = hs if m is None else hs * m

        def gradient(d_outputs, dh_last, dc_last):
            d_outputs = _zeros_if_none(d_outputs, outputs)
            kernel_t = tf.transpose(kernel)
            # What each step's gradient multiplies by depends on the forward pass alone: computed for all steps
            # at once, the loop keeps a dozen small ops per step instead of about thirty (outside XLA each op
            # costs microseconds; the recursion itself is dc and dh).
            i, f, g, o = tf.split(activations, 4, axis=2)
            tanh_c = tf.tanh(cs)
            dc_per_dh = o * (1 - tanh_c * tanh_c)
            factors = tf.concat(
                [g * i * (1 - i), _previous(c0, cs) * f * (1 - f), i * (1 - g * g), tanh_c * o * (1 - o)], 2
            )
            d_output_steps, dc_per_dh_steps = _per_step(d_outputs, steps), _per_step(dc_per_dh, steps)
            factor_steps, f_steps = _per_step(factors, steps), _per_step(f, steps)

            def backward(t, dh, dc, dzs):
                mt = None if m is None else m_steps[t]
                dh_new = dh + d_output_steps[t] if mt is None else mt * (dh + d_output_steps[t])
                dc_new = (dc if mt is None else mt * dc) + dh_new * dc_per_dh_steps[t]
                dz = tf.concat([dc_new, dc_new, dc_new, dh_new], 1) * factor_steps[t]
                dh_prev = _dropped(tf.matmul(dz, kernel_t), state_mask)
                dc_prev = dc_new * f_steps[t]
                if mt is not None:
                    dh_prev += (1 - mt) * dh
                    dc_prev += (1 - mt) * dc
                return t - 1, dh_prev, dc_prev, dzs.write(t, dz)

            (dh0, dc0), (dzs,) = _loop(
                backward, steps, steps - 1, [_zeros_if_none(dh_last, h0), _zeros_if_none(dc_last, c0)], 1,
                xs.dtype, backwards=True,
            )
            h_in = _dropped(_previous(h0, hs), state_mask)
            return dzs, _weight_gradient(h_in, dzs), dh0, dc0

        return (outputs, h, c), gradient

    return lstm


def _gru(m, state_mask):
    @tf.custom_gradient
    def gru(xs, kernel, recurrent_bias, h0):
        steps = _steps(xs)
        x_steps, m_steps = _per_step(xs, steps), _per_step(m, steps)

        def body(t, h, hs, activations):
            recurrent = tf.matmul(_dropped(h, state_mask), kernel) + recurrent_bias
            x_z, x_r, x_n = tf.split(x_steps[t], 3, axis=1)
            rec_z, rec_r, rec_n = tf.split(recurrent, 3, axis=1)
            z = tf.sigmoid(x_z + rec_z)
            r = tf.sigmoid(x_r + rec_r)
            n = tf.tanh(x_n + r * rec_n)
            h_new = z * h + (1 - z) * n
            h = _masked(h_new, h, None if m is None else m_steps[t])
            return t + 1, h, hs.write(t, h), activations.write(t, tf.concat([z, r, n, rec_n], 1))

        (h,), (hs, activations) = _loop(body, steps, 0, [h0], 2, xs.dtype)
        outputs = hs if m is None else hs * m

        def gradient(d_outputs, dh_last):
            d_outputs = _zeros_if_none(d_outputs, outputs)
            h_prev = _previous(h0, hs)
            kernel_t = tf.transpose(kernel)
            # As for the LSTM: the forward pass's factors for all steps at once, the recursion alone in the loop.
            z, r, n, rec_n = tf.split(activations, 4, axis=2)
            dn_per_dh = (1 - z) * (1 - n * n)
            factors = tf.concat([(h_prev - n) * z * (1 - z), dn_per_dh * rec_n * r * (1 - r), dn_per_dh * r], 2)
            d_output_steps, factor_steps, z_steps = (_per_step(d_outputs, steps), _per_step(factors, steps),
                                                     _per_step(z, steps))

            def backward(t, dh, d_recurrents, dh_news):
                mt = None if m is None else m_steps[t]
                dh_new = dh + d_output_steps[t] if mt is None else mt * (dh + d_output_steps[t])
                d_recurrent = tf.concat([dh_new, dh_new, dh_new], 1) * factor_steps[t]
                dh_prev = dh_new * z_steps[t] + _dropped(tf.matmul(d_recurrent, kernel_t), state_mask)
                if mt is not None:
                    dh_prev += (1 - mt) * dh
                return t - 1, dh_prev, d_recurrents.write(t, d_recurrent), dh_news.write(t, dh_new)

            (dh0,), (d_recurrents, dh_news) = _loop(
                backward, steps, steps - 1, [_zeros_if_none(dh_last, h0)], 2, xs.dtype, backwards=True
            )
            units = h0.shape[-1]
            # The input's gradient differs from the recurrent one only in the candidate block (no reset gate).
            dxs = tf.concat([d_recurrents[:, :, : 2 * units], dh_news * dn_per_dh], 2)
            d_kernel = _weight_gradient(_dropped(h_prev, state_mask), d_recurrents)
            d_bias = tf.reduce_sum(tf.reshape(d_recurrents, [-1, 3 * units]), 0)
            return dxs, d_kernel, d_bias, dh0

        return (outputs, h), gradient

    return gru


def _simple_rnn(m, state_mask):
    @tf.custom_gradient
    def simple_rnn(xs, kernel, h0):
        steps = _steps(xs)
        x_steps, m_steps = _per_step(xs, steps), _per_step(m, steps)

        def body(t, h, hs):
            h_new = tf.tanh(x_steps[t] + tf.matmul(_dropped(h, state_mask), kernel))
            h = _masked(h_new, h, None if m is None else m_steps[t])
            return t + 1, h, hs.write(t, h)

        (h,), (hs,) = _loop(body, steps, 0, [h0], 1, xs.dtype)
        outputs = hs if m is None else hs * m

        def gradient(d_outputs, dh_last):
            d_outputs = _zeros_if_none(d_outputs, outputs)
            kernel_t = tf.transpose(kernel)
            tanh_gradient = 1 - hs * hs
            d_output_steps, tanh_gradient_steps = _per_step(d_outputs, steps), _per_step(tanh_gradient, steps)

            def backward(t, dh, d_preactivations):
                mt = None if m is None else m_steps[t]
                dh_new = dh + d_output_steps[t] if mt is None else mt * (dh + d_output_steps[t])
                # A masked step's hs[t] is the old state, but its dh_new is zero, so the product is too.
                dp = dh_new * tanh_gradient_steps[t]
                dh_prev = _dropped(tf.matmul(dp, kernel_t), state_mask)
                if mt is not None:
                    dh_prev += (1 - mt) * dh
                return t - 1, dh_prev, d_preactivations.write(t, dp)

            (dh0,), (dps,) = _loop(
                backward, steps, steps - 1, [_zeros_if_none(dh_last, h0)], 1, xs.dtype, backwards=True
            )
            return dps, _weight_gradient(_dropped(_previous(h0, hs), state_mask), dps), dh0

        return (outputs, h), gradient

    return simple_rnn
