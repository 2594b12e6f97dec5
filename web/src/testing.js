// For the tests: a stand-in for LiteRT.js's Tensor that counts the tensors not yet freed.

export class FakeTensor {
  constructor(data, shape) {
    this.data = data;
    this.shape = shape;
    FakeTensor.live += 1;
  }

  toTypedArray() {
    return this.data;
  }

  delete() {
    FakeTensor.live -= 1;
  }
}
FakeTensor.live = 0;
