# ruff: noqa: E702  (the reference's own style, kept verbatim)
# A verbatim copy of the project's speed reference, ../shared/perf/numpy_ref.py (beside the main
# checkout), kept here so that bench/run.py measures against it from any checkout. Do not tune it:
# it is the yardstick pencilnet's NumPy loop is held to (within 1.1×, README "Performance").
"""The reference for pencilnet's training speed: hand-tuned NumPy gradient descent for a 2-layer sigmoid
network with E = 1/2 sum (t - o)^2, online (one update per sample) and in mini-batches.

Nothing in it is general: two layers, sigmoid, one loss, no error bookkeeping. That is what makes it the
floor a general engine should come close to. Use it as it is from a benchmark:

    p = Params(W1.copy(), b1.copy(), W2.copy(), b2.copy())      # W: (sources, targets)
    trainer = NumpyOnline(X, T, p, lr) if batch == 1 else NumpyBatch(X, T, p, lr, batch)
    trainer.epoch()                                             # updates p in place

Check first that pencilnet ends an epoch with the same weights (to ~1e-12), then time both interleaved in
one process, with one BLAS thread (OPENBLAS_NUM_THREADS=1), and report the ratio of medians.
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class Params:
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray


class NumpyOnline:
    """Hand-tuned pure-NumPy online SGD (batch size 1).

    With one sample per update every array is tiny, so the cost is the number
    of NumPy calls (~0.3 us each) rather than arithmetic.  Tricks used, each
    measured to help (see online_variants.py):
      * every temporary is preallocated and every op writes with out=;
      * np.dot instead of @ / np.matmul for the vector-matrix products
        (np.dot has ~0.3 us less dispatch overhead on tiny operands);
      * the per-sample row views X[i], T[i] and the column view of X[i]
        used for the outer product are built once, outside the epoch;
      * the learning rate is folded into the output delta once, so both
        outer products and bias updates come out pre-scaled;
      * sigmoid as 1/(1+exp(-z)) in four in-place calls.
    """

    name = "numpy-ref"

    def __init__(self, X: np.ndarray, T: np.ndarray, p: Params, lr: float):
        self.p = p
        self.lr = lr
        n_in, n_hid = p.W1.shape
        n_out = p.W2.shape[1]
        self.rows = [(X[i], X[i][:, None], T[i]) for i in range(X.shape[0])]
        self.z1 = np.empty(n_hid)
        self.h = np.empty(n_hid)
        self.hcol = self.h[:, None]
        self.z2 = np.empty(n_out)
        self.y = np.empty(n_out)
        self.d2 = np.empty(n_out)
        self.tmp2 = np.empty(n_out)
        self.d1 = np.empty(n_hid)
        self.tmp1 = np.empty(n_hid)
        self.g1 = np.empty((n_in, n_hid))
        self.g2 = np.empty((n_hid, n_out))

    def epoch(self) -> None:
        W1, b1, W2, b2 = self.p.W1, self.p.b1, self.p.W2, self.p.b2
        z1, h, hcol, z2, y = self.z1, self.h, self.hcol, self.z2, self.y
        d2, tmp2, d1, tmp1, g1, g2 = self.d2, self.tmp2, self.d1, self.tmp1, self.g1, self.g2
        dot, add, sub, mul, exp, neg, rec = (np.dot, np.add, np.subtract, np.multiply,
                                             np.exp, np.negative, np.reciprocal)
        lr = self.lr
        for x, xcol, t in self.rows:
            # forward: h = sigmoid(x W1 + b1), y = sigmoid(h W2 + b2)
            dot(x, W1, out=z1); add(z1, b1, out=z1)
            neg(z1, out=z1); exp(z1, out=z1); add(z1, 1.0, out=z1); rec(z1, out=h)
            dot(h, W2, out=z2); add(z2, b2, out=z2)
            neg(z2, out=z2); exp(z2, out=z2); add(z2, 1.0, out=z2); rec(z2, out=y)
            # output delta, pre-scaled by lr: d2 = lr (y - t) y (1 - y)
            sub(y, t, out=d2); sub(1.0, y, out=tmp2); mul(tmp2, y, out=tmp2)
            mul(tmp2, lr, out=tmp2); mul(d2, tmp2, out=d2)
            # hidden delta (uses W2 before its update): d1 = (W2 d2) h (1 - h)
            dot(W2, d2, out=d1); sub(1.0, h, out=tmp1); mul(tmp1, h, out=tmp1)
            mul(d1, tmp1, out=d1)
            # updates: W -= outer(input, delta), b -= delta
            mul(hcol, d2, out=g2); sub(W2, g2, out=W2); sub(b2, d2, out=b2)
            mul(xcol, d1, out=g1); sub(W1, g1, out=W1); sub(b1, d1, out=b1)


class NumpyBatch:
    """Hand-tuned pure-NumPy minibatch / full-batch gradient descent.

    Batches are contiguous row slices (views, no copies); all (B, .) buffers
    are preallocated for the full batch size and the last, shorter batch uses
    leading slices of them.  Matrix products use @ (np.matmul with out=), the
    transposes are views passed straight to BLAS, and the bias gradients are
    column sums done as ones @ D (a BLAS call, faster than .sum(axis=0)).
    """

    name = "numpy-ref"

    def __init__(self, X: np.ndarray, T: np.ndarray, p: Params, lr: float, batch: int):
        self.p = p
        self.lr = lr
        n = X.shape[0]
        n_in, n_hid = p.W1.shape
        n_out = p.W2.shape[1]
        self.batches = []
        for s in range(0, n, batch):
            e = min(s + batch, n)
            self.batches.append((X[s:e], T[s:e], lr / (e - s)))
        B = min(batch, n)
        self.H = np.empty((B, n_hid))
        self.Y = np.empty((B, n_out))
        self.D2 = np.empty((B, n_out))
        self.S2 = np.empty((B, n_out))
        self.D1 = np.empty((B, n_hid))
        self.S1 = np.empty((B, n_hid))
        self.ones = np.ones(B)
        self.g1 = np.empty((n_in, n_hid))
        self.g2 = np.empty((n_hid, n_out))
        self.gb1 = np.empty(n_hid)
        self.gb2 = np.empty(n_out)

    def epoch(self) -> None:
        W1, b1, W2, b2 = self.p.W1, self.p.b1, self.p.W2, self.p.b2
        g1, g2, gb1, gb2 = self.g1, self.g2, self.gb1, self.gb2
        mm, add, sub, mul, exp, neg, rec = (np.matmul, np.add, np.subtract, np.multiply,
                                            np.exp, np.negative, np.reciprocal)
        for Xb, Tb, scale in self.batches:
            m = Xb.shape[0]
            if m == self.H.shape[0]:
                H, Y, D2, S2, D1, S1, ones = self.H, self.Y, self.D2, self.S2, self.D1, self.S1, self.ones
            else:  # last, shorter batch
                H, Y, D2, S2, D1, S1, ones = (self.H[:m], self.Y[:m], self.D2[:m], self.S2[:m],
                                              self.D1[:m], self.S1[:m], self.ones[:m])
            # forward
            mm(Xb, W1, out=H); add(H, b1, out=H)
            neg(H, out=H); exp(H, out=H); add(H, 1.0, out=H); rec(H, out=H)
            mm(H, W2, out=Y); add(Y, b2, out=Y)
            neg(Y, out=Y); exp(Y, out=Y); add(Y, 1.0, out=Y); rec(Y, out=Y)
            # output delta scaled by lr/m: D2 = (lr/m) (Y - T) Y (1 - Y)
            sub(Y, Tb, out=D2); sub(1.0, Y, out=S2); mul(S2, Y, out=S2)
            mul(S2, scale, out=S2); mul(D2, S2, out=D2)
            # hidden delta: D1 = (D2 W2^T) H (1 - H)
            mm(D2, W2.T, out=D1); sub(1.0, H, out=S1); mul(S1, H, out=S1); mul(D1, S1, out=D1)
            # updates
            mm(H.T, D2, out=g2); sub(W2, g2, out=W2)
            mm(ones, D2, out=gb2); sub(b2, gb2, out=b2)
            mm(Xb.T, D1, out=g1); sub(W1, g1, out=W1)
            mm(ones, D1, out=gb1); sub(b1, gb1, out=b1)


