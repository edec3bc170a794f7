"""The NumPy baseline: an MLP trained with softmax cross-entropy and Adam, written by hand in
NumPy the way a user without a framework would. The demo and bench/train_mlp.py time it
against retroprop; it is also an independent oracle for one training step."""
import numpy as np


class NumpyMLP:
    """Linear -> ReLU -> ... -> Linear, float32, torch's default initialisation, Adam."""

    def __init__(self, sizes, seed=0, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, dtype=np.float32):
        rng = np.random.default_rng(seed)
        self.weights, self.biases = [], []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / np.sqrt(fan_in)
            self.weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype))
            self.biases.append(rng.uniform(-bound, bound, fan_out).astype(dtype))
        self.params = self.weights + self.biases
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.lr, self.betas, self.eps, self.t = lr, betas, eps, 0

    def forward(self, x):
        """Logits, and the activations kept for backward."""
        acts = [x]
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = acts[-1] @ w.T + b
            acts.append(np.maximum(z, 0) if i < len(self.weights) - 1 else z)
        return acts[-1], acts

    def loss_and_grads(self, x, y):
        logits, acts = self.forward(x)
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        probs = exp / exp.sum(axis=1, keepdims=True)
        n = x.shape[0]
        loss = -np.log(probs[np.arange(n), y]).mean()
        d = probs
        d[np.arange(n), y] -= 1
        d /= n
        dws, dbs = [None] * len(self.weights), [None] * len(self.weights)
        for i in reversed(range(len(self.weights))):
            dws[i] = d.T @ acts[i]
            dbs[i] = d.sum(axis=0)
            if i > 0:
                d = (d @ self.weights[i]) * (acts[i] > 0)
        return float(loss), dws + dbs

    def adam(self, grads):
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)

    def step(self, x, y):
        loss, grads = self.loss_and_grads(x, y)
        self.adam(grads)
        return loss

    def predict(self, x):
        return self.forward(x)[0].argmax(axis=1)
