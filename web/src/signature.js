// Running one signature of a compiled LiteRT.js model on plain arrays: inputs go by name (the order of
// getInputDetails() is not metadata.json's), and every tensor made or returned is freed here (LiteRT.js has no
// garbage collection of its own).

/**
 * @param {{run: Function}} model a compiled LiteRT.js model
 * @param {Function} Tensor LiteRT.js's Tensor class
 * @param {string} key the signature
 * @param {Record<string, {shape: number[], dtype: string}>} specs its inputs, as metadata.json lists them
 * @param {Record<string, ArrayLike<number>>} values an array per input name
 * @returns {Promise<Record<string, Float32Array>>} its outputs, copied out of the runtime
 */
export async function runSignature(model, Tensor, key, specs, values) {
  const inputs = {};
  try {
    for (const [name, spec] of Object.entries(specs)) {
      const data = spec.dtype === "int32" ? Int32Array.from(values[name]) : Float32Array.from(values[name]);
      inputs[name] = new Tensor(data, spec.shape);
    }
    const outputs = await model.run(key, inputs);
    try {
      return Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, Float32Array.from(t.toTypedArray())]));
    } finally {
      for (const tensor of Object.values(outputs)) tensor.delete();
    }
  } finally {
    for (const tensor of Object.values(inputs)) tensor.delete();
  }
}
