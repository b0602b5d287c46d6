# ruff: noqa: E702  (the hand-written loops below keep numpy_ref's one-update-per-line style)
"""How fast pencilnet trains and starts, and how much memory training takes.

    python bench/run.py [--quick] [--repeat N] [--samples N] [--threads N]
                        [--only training,optimizers,startup,memory]
                        [--networks 36-36-2,784-128-10]

Training: per-epoch times of pencilnet's engine (its NumPy loop, and its numba loop when numba is
installed), of the project's reference, `numpy_ref` (a hand-tuned NumPy loop for this one network:
bench/numpy_ref.py, a copy of ../shared/perf/numpy_ref.py), of PyTorch on the CPU (manual
gradients, and autograd with optim.SGD) and of scikit-learn's MLP (solver "sgd"), when those are
installed, for the 36-36-2 and 784-128-10 sigmoid networks, E = ½ Σ (t − o)², plain gradient
descent, online, in mini-batches of 32 and in one full batch. They run in this one process,
interleaved, and the table gives medians and each one's ratio to numpy_ref. Before timing, every
contender but scikit-learn trains one epoch from the same weights and must end with numpy_ref's
weights to 1e-12; scikit-learn cannot start from given weights the same way (and its classifier puts a
log-loss on its sigmoid outputs), so only its time is compared. Each timing is one call that
trains as many epochs as make about 0.5 s of work, divided by their number: one-off costs per
call (pencilnet's: the error with the final weights, the result; numpy_ref's: its row views)
are spread over those epochs. pencilnet's figure includes the per-epoch error it reports, which
numpy_ref does not compute. The 784-128-10 network trains on a fifth of the samples.

Optimizers: per-epoch times of pencilnet training SGD with momentum 0.9 and Adam
on the 36-36-2 network (the same data), online and in mini-batches of 32, against a hand-written
NumPy loop of the same optimizer (`numpy_ref`'s loop computing the gradient into one flat vector,
then the optimizer's step on the flat arrays, in place) and against torch.optim (nn.Linear
layers, the same loss, one thread) when PyTorch is installed; online, pencilnet's numba loop
too (when numba is installed). Each contender first trains one
epoch from the same weights and must end with the hand-written loop's weights to 1e-12.

Start-up: subprocess runs of `pencilnet forward`, `forward --json` and `--help` against
`python -c "import numpy, yaml, rich.console, rich.table, typer"`, interleaved, medians.

Memory: peak memory of `engine.train` in a fresh subprocess per case (tracemalloc's peak of what
training allocates, and the process's maxrss), for 10 against 1,000 epochs and for growing data.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

# Before NumPy (OpenBLAS) or PyTorch (OpenMP) start their threads: one each unless told otherwise,
# as the reference is measured.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import numpy_ref  # noqa: E402  (the reference loop, a copy of ../shared/perf/numpy_ref.py)

REFERENCE = "numpy_ref"
RATE = 0.5
NETWORKS = {"36-36-2": (36, 36, 2), "784-128-10": (784, 128, 10)}
MODES = {"online": 1, "mini-batch 32": 32, "full batch": None}
TIMING = 0.5  # seconds of work per timing, at least one epoch


def workload(sizes, samples, seed=0):
    """Inputs in [0, 1], one-hot targets, and weights uniform in ±sqrt(6 / (fan in + fan out))
    (±0.5 for the small network, as the article's fruit config draws them)."""
    rng = np.random.default_rng(seed)
    n_in, n_hidden, n_out = sizes
    inputs = rng.uniform(size=(samples, n_in))
    targets = np.eye(n_out)[rng.integers(n_out, size=samples)]
    params = []  # W1, b1, W2, b2 as numpy_ref.Params takes them
    for a, b in ((n_in, n_hidden), (n_hidden, n_out)):
        spread = 0.5 if n_in <= 36 else math.sqrt(6 / (a + b))
        params += [rng.uniform(-spread, spread, (a, b)), rng.uniform(-spread, spread, b)]
    return inputs, targets, params  # params: W1, b1, W2, b2


def flat(w1, b1, w2, b2):
    """The weights in pencilnet's order (every weight matrix, then every bias vector)."""
    return np.concatenate([np.ravel(w1), np.ravel(w2), np.ravel(b1), np.ravel(b2)])


# ---- the contenders: each trains `epochs` epochs from the given weights and returns them -----

def contenders(inputs, targets, params, size):
    found = {}
    samples = len(inputs)
    batch = size or samples

    def reference(epochs):
        """The reference, as its docstring says to use it: from copies of the weights, in place."""
        p = numpy_ref.Params(*(a.copy() for a in params))
        trainer = numpy_ref.NumpyOnline(inputs, targets, p, RATE) if batch == 1 else numpy_ref.NumpyBatch(
            inputs, targets, p, RATE, batch)
        for _ in range(epochs):
            trainer.epoch()
        return flat(p.W1, p.b1, p.W2, p.b2)

    found[REFERENCE] = reference
    from pencilnet.core.model import Layer, Model
    from pencilnet.training import loop as engine

    model = Model((Layer(params[0], params[1]), Layer(params[2], params[3])))

    def pencilnet(compiled):
        return pencilnet_run(model, inputs, targets, engine.Schedule(RATE, 1, size), compiled)

    found["pencilnet"] = pencilnet(False)

    def bookkept(epochs):
        """What `pencilnet train` adds: a new order every epoch and a Rich progress bar, drawn
        (into a string) by Rich's own thread, four times a second, as on a terminal."""
        import io

        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(file=io.StringIO(), force_terminal=True, width=100)
        columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TextColumn("epochs"),
                   TextColumn("error {task.fields[error]}"), TimeRemainingColumn())
        saved = os.environ.get("PENCILNET_NUMBA")
        os.environ["PENCILNET_NUMBA"] = "0"
        try:
            with Progress(*columns, console=console, transient=True, refresh_per_second=4) as bar:
                task = bar.add_task("train", total=epochs, error="…")
                def report(epoch, done, error):
                    return bar.update(task, completed=epoch - 1 + done / samples,
                                                                               error=f"{error:.6f}")
                engine.train(model, inputs, targets, engine.Schedule(RATE, epochs, size, shuffle=True),
                             on_progress=report)
        finally:
            os.environ.pop("PENCILNET_NUMBA") if saved is None else os.environ.update(PENCILNET_NUMBA=saved)
        return None

    if batch < samples:
        found["pencilnet, shuffled, progress bar"] = bookkept
    if batch == 1 and _has_numba():
        found["pencilnet, numba"] = pencilnet(True)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        data, wanted = torch.from_numpy(inputs), torch.from_numpy(targets)

        def torch_manual(epochs):
            w1, b1, w2, b2 = (torch.tensor(p) for p in params)
            with torch.no_grad():
                for _ in range(epochs):
                    if batch == 1:  # one sample at a time: vectors and outer products are quicker
                        for x, t in zip(data, wanted, strict=False):
                            h = torch.sigmoid(x @ w1 + b1)
                            o = torch.sigmoid(h @ w2 + b2)
                            d2 = (o - t) * o * (1 - o)
                            d1 = (w2 @ d2) * h * (1 - h)
                            w2 -= RATE * torch.outer(h, d2)
                            b2 -= RATE * d2
                            w1 -= RATE * torch.outer(x, d1)
                            b1 -= RATE * d1
                        continue
                    for start in range(0, samples, batch):
                        x, t = data[start:start + batch], wanted[start:start + batch]
                        h = torch.sigmoid(x @ w1 + b1)
                        o = torch.sigmoid(h @ w2 + b2)
                        d2 = (o - t) * o * (1 - o)
                        d1 = (d2 @ w2.T) * h * (1 - h)
                        step = RATE / len(x)
                        w2 -= step * (h.T @ d2)
                        b2 -= step * d2.sum(0)
                        w1 -= step * (x.T @ d1)
                        b1 -= step * d1.sum(0)
            return flat(*(p.numpy() for p in (w1, b1, w2, b2)))

        def torch_autograd(epochs):
            weights = [torch.tensor(p, requires_grad=True) for p in params]
            w1, b1, w2, b2 = weights
            optimizer = torch.optim.SGD(weights, lr=RATE)
            for _ in range(epochs):
                for start in range(0, samples, batch):
                    x, t = data[start:start + batch], wanted[start:start + batch]
                    optimizer.zero_grad()
                    o = torch.sigmoid(torch.sigmoid(x @ w1 + b1) @ w2 + b2)
                    (0.5 * ((t - o) ** 2).sum() / len(x)).backward()
                    optimizer.step()
            return flat(*(p.detach().numpy() for p in weights))

        found["PyTorch, manual gradients"] = torch_manual
        found["PyTorch autograd + SGD"] = torch_autograd
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        MLPClassifier = None
    if MLPClassifier is not None:
        def sklearn(epochs):
            mlp = MLPClassifier(hidden_layer_sizes=(params[0].shape[1],), activation="logistic", solver="sgd",
                                learning_rate_init=RATE, batch_size=batch, momentum=0.0, alpha=0.0, max_iter=epochs,
                                shuffle=False, tol=0.0, n_iter_no_change=10**9, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                mlp.fit(inputs, targets)  # multi-label: sigmoid outputs
            return None

        found["scikit-learn MLP (sgd)"] = sklearn
    return found


def bench_training(args):
    print(f"## Training: per-epoch time, float64, medians of {args.repeat}")
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "default")
    print(f"(NumPy {np.__version__}; {_versions()}; {os.cpu_count()} cores; BLAS threads: {threads})\n")
    # With one thread, each timing is this process's CPU time: on a shared machine the time spent
    # waiting for a core is not counted. With more, wall-clock time (CPU time would add the threads').
    clock = time.process_time if os.environ["OPENBLAS_NUM_THREADS"] == "1" else time.perf_counter
    print(f"(timed by {'CPU time of this process' if clock is time.process_time else 'the wall clock'})\n")
    results = {}
    for name, sizes in NETWORKS.items():
        if name not in args.networks.split(","):
            continue
        # The big network on a fifth of the samples: its online epoch takes a second or more.
        inputs, targets, params = workload(sizes, args.samples if sizes[0] <= 36 else args.samples // 5)
        for mode, size in MODES.items():
            found = contenders(inputs, targets, params, size)
            results[name, mode] = _measure(found, REFERENCE, f"{name}, {mode}, {len(inputs):,} samples", args, clock)
    _training_table(results)
    targets = [f"{mode} {medians['pencilnet'] / medians[REFERENCE]:.2f}×"
               for (name, mode), (medians, _, _) in results.items() if name == "36-36-2" and mode != "full batch"]
    print(f"pencilnet's NumPy loop against {REFERENCE} on 36-36-2: {', '.join(targets)} (the target: at most 1.1×)\n")
    _numba_start()


def _measure(found: dict, reference: str, title: str, args, clock) -> tuple[dict, dict, dict]:
    """Per-epoch medians of each contender's timings, interleaved, printed under `title` with each
    one's ratio to `reference`; first, every contender trains one epoch from the same weights and
    must end with the reference's weights to 1e-12."""
    expected = found[reference](1)
    checks, epochs = {}, {}
    for label, run in found.items():  # one epoch each from the same weights: the same weights after it
        run(1)  # and once before, so that nothing is imported or compiled in the timed run
        start = clock()
        got = run(1)
        epochs[label] = max(1, round(TIMING / (clock() - start)))
        checks[label] = None if got is None else float(np.max(np.abs(got - expected)))
        if checks[label] is not None and not checks[label] <= 1e-12:
            sys.exit(f"{title}: {label} ends the epoch {checks[label]:.1e} from {reference}")
    times = {label: [] for label in found}
    for repeat in range(args.repeat):
        order = list(found)
        order = order[repeat % len(order):] + order[:repeat % len(order)]  # who goes first rotates
        for label in order:
            start = clock()
            found[label](epochs[label])
            times[label].append((clock() - start) / epochs[label])
    medians = {label: statistics.median(t) for label, t in times.items()}
    base = medians[reference]
    print(f"{title}:")
    for label, value in medians.items():
        check = "not compared" if checks[label] is None else f"same weights to {max(checks[label], 1e-17):.0e}"
        print(f"  {label:28s} {value * 1e3:9.2f} ms/epoch  {value / base:6.2f}×   ({check}; "
              f"{epochs[label]} epoch{'s' if epochs[label] > 1 else ''} a timing)")
    print(flush=True)
    return medians, checks, epochs


def _versions():
    found = []
    for module in ("numba", "torch", "sklearn"):
        try:
            found.append(f"{module} {__import__(module).__version__}")
        except ImportError:
            found.append(f"{module} absent")
    return ", ".join(found)


def _training_table(results, reference=REFERENCE, heading="network, mode"):
    labels = []
    for medians, _, _ in results.values():
        labels += [label for label in medians if label not in labels]
    print(f"| {heading} | " + " | ".join(labels) + " |")
    print("|---" * (len(labels) + 1) + "|")
    for row, (medians, _, _) in results.items():
        base = medians[reference]
        cells = []
        for label in labels:
            if label not in medians:
                cells.append("–")
            elif label == reference:
                cells.append(f"{base * 1e3:.3g} ms")
            else:
                cells.append(f"{medians[label] / base:.2f}×")
        print(f"| {', '.join(row)} | " + " | ".join(cells) + " |")
    print()


# ---- optimizers --------------------------------------------------------------------------------

HAND = "numpy, hand-written"
OPTIMIZERS = {"sgd momentum 0.9": ({"name": "sgd", "momentum": 0.9}, 0.1), "adam": ({"name": "adam"}, 0.001)}


class FlatParams:
    """numpy_ref's Params as views into one vector, with a gradient vector laid out the same:
    an optimizer steps the flat vectors in place."""

    def __init__(self, params):
        sizes = [p.size for p in params]
        self.theta, self.grad = np.concatenate([p.ravel() for p in params]), np.zeros(sum(sizes))
        cuts = np.cumsum([0] + sizes)
        self.W1, self.b1, self.W2, self.b2 = (self.theta[a:b].reshape(p.shape) for a, b, p in zip(cuts, cuts[1:],
                                                                                                  params, strict=False))
        self.gW1, self.gb1, self.gW2, self.gb2 = (self.grad[a:b].reshape(p.shape)
                                                  for a, b, p in zip(cuts, cuts[1:], params, strict=False))


def hand_step(p: FlatParams, settings: dict, lr: float):
    """One optimizer's step on the flat vectors, as a person would write it for speed: a closure
    over every array (made once) and scalar, in torch's order of operations, its scalars folded."""
    theta, g, tmp = p.theta, p.grad, np.empty(p.theta.size)
    multiply, add, subtract, sqrt, divide = np.multiply, np.add, np.subtract, np.sqrt, np.divide
    t = 0
    if settings["name"] == "sgd":  # b = g on the first step, then μ b + g; θ −= lr b
        mu, buf = settings["momentum"], np.zeros(p.theta.size)

        def momentum():
            nonlocal t
            t += 1
            if t == 1:
                np.copyto(buf, g)
            else:
                multiply(buf, mu, out=buf)
                add(buf, g, out=buf)
            multiply(buf, lr, out=tmp)
            subtract(theta, tmp, out=theta)
        return momentum
    m, v = np.zeros(p.theta.size), np.zeros(p.theta.size)

    def adam():  # torch.optim.Adam's defaults: betas 0.9, 0.999, eps 1e-8
        nonlocal t
        t += 1
        multiply(m, 0.9, out=m)
        multiply(g, 0.1, out=tmp)
        add(m, tmp, out=m)
        multiply(v, 0.999, out=v)
        multiply(g, g, out=tmp)
        multiply(tmp, 1 - 0.999, out=tmp)
        add(v, tmp, out=v)
        sqrt(v, out=tmp)
        multiply(tmp, 1 / math.sqrt(1 - 0.999 ** t), out=tmp)
        add(tmp, 1e-8, out=tmp)
        divide(m, tmp, out=tmp)
        multiply(tmp, lr / (1 - 0.9 ** t), out=tmp)
        subtract(theta, tmp, out=theta)
    return adam


class HandOnline(numpy_ref.NumpyOnline):
    """numpy_ref's online loop with the gradient into the flat vector (∂E/∂net of each layer
    written straight into its biases' gradient), then the optimizer's step."""

    def __init__(self, X, T, p: FlatParams, step):
        super().__init__(X, T, p, 1.0)
        self.step = step

    def epoch(self) -> None:
        p = self.p
        W1, b1, W2, b2, gW1, gb1, gW2, gb2 = p.W1, p.b1, p.W2, p.b2, p.gW1, p.gb1, p.gW2, p.gb2
        z1, h, hcol, z2, y, tmp2, tmp1, step = self.z1, self.h, self.hcol, self.z2, self.y, self.tmp2, self.tmp1, \
            self.step
        dot, add, sub, mul, exp, neg, rec = (np.dot, np.add, np.subtract, np.multiply,
                                             np.exp, np.negative, np.reciprocal)
        for x, xcol, t in self.rows:
            dot(x, W1, out=z1); add(z1, b1, out=z1)
            neg(z1, out=z1); exp(z1, out=z1); add(z1, 1.0, out=z1); rec(z1, out=h)
            dot(h, W2, out=z2); add(z2, b2, out=z2)
            neg(z2, out=z2); exp(z2, out=z2); add(z2, 1.0, out=z2); rec(z2, out=y)
            sub(y, t, out=gb2); sub(1.0, y, out=tmp2); mul(tmp2, y, out=tmp2); mul(gb2, tmp2, out=gb2)
            dot(W2, gb2, out=gb1); sub(1.0, h, out=tmp1); mul(tmp1, h, out=tmp1); mul(gb1, tmp1, out=gb1)
            mul(hcol, gb2, out=gW2); mul(xcol, gb1, out=gW1)
            step()


class HandBatch(numpy_ref.NumpyBatch):
    """numpy_ref's mini-batch loop with each batch's mean gradient into the flat vector, then the step."""

    def __init__(self, X, T, p: FlatParams, step, batch: int):
        super().__init__(X, T, p, 1.0, batch)
        self.step = step

    def epoch(self) -> None:
        p = self.p
        W1, b1, W2, b2, gW1, gb1, gW2, gb2 = p.W1, p.b1, p.W2, p.b2, p.gW1, p.gb1, p.gW2, p.gb2
        mm, add, sub, mul, exp, neg, rec = (np.matmul, np.add, np.subtract, np.multiply,
                                            np.exp, np.negative, np.reciprocal)
        for Xb, Tb, scale in self.batches:  # scale: 1 / the batch's size (the rate is 1)
            m = Xb.shape[0]
            if m == self.H.shape[0]:
                H, Y, D2, S2, D1, S1, ones = self.H, self.Y, self.D2, self.S2, self.D1, self.S1, self.ones
            else:
                H, Y, D2, S2, D1, S1, ones = (self.H[:m], self.Y[:m], self.D2[:m], self.S2[:m],
                                              self.D1[:m], self.S1[:m], self.ones[:m])
            mm(Xb, W1, out=H); add(H, b1, out=H)
            neg(H, out=H); exp(H, out=H); add(H, 1.0, out=H); rec(H, out=H)
            mm(H, W2, out=Y); add(Y, b2, out=Y)
            neg(Y, out=Y); exp(Y, out=Y); add(Y, 1.0, out=Y); rec(Y, out=Y)
            sub(Y, Tb, out=D2); sub(1.0, Y, out=S2); mul(S2, Y, out=S2)
            mul(S2, scale, out=S2); mul(D2, S2, out=D2)
            mm(D2, W2.T, out=D1); sub(1.0, H, out=S1); mul(S1, H, out=S1); mul(D1, S1, out=D1)
            mm(H.T, D2, out=gW2); mm(ones, D2, out=gb2)
            mm(Xb.T, D1, out=gW1); mm(ones, D1, out=gb1)
            self.step()


def pencilnet_run(model, inputs, targets, schedule, compiled: bool):
    """pencilnet's `train` as a contender: run(epochs) → the trained parameters, in its NumPy loop
    or (`compiled`) its numba loop, whatever the run's length (the start is measured apart)."""
    import dataclasses

    from pencilnet.core.model import flatten
    from pencilnet.training import loop as engine

    def run(epochs):
        saved = os.environ.get("PENCILNET_NUMBA"), engine.COMPILED_FROM
        os.environ["PENCILNET_NUMBA"] = "1" if compiled else "0"
        engine.COMPILED_FROM = 0
        try:
            return flatten(engine.train(model, inputs, targets, dataclasses.replace(schedule, epochs=epochs)).model)
        finally:
            engine.COMPILED_FROM = saved[1]
            os.environ.pop("PENCILNET_NUMBA") if saved[0] is None else os.environ.update(PENCILNET_NUMBA=saved[0])
    return run


def optimizer_contenders(inputs, targets, params, size, settings, rate):
    found = {}
    samples = len(inputs)

    def hand(epochs):
        p = FlatParams([a.copy() for a in params])
        step = hand_step(p, settings, rate)
        trainer = HandOnline(inputs, targets, p, step) if size == 1 else HandBatch(inputs, targets, p, step, size)
        for _ in range(epochs):
            trainer.epoch()
        return flat(p.W1, p.b1, p.W2, p.b2)

    found[HAND] = hand
    from pencilnet.core.model import Layer, Model
    from pencilnet.core.optimizers import Optimizer
    from pencilnet.training import loop as engine

    model = Model((Layer(params[0], params[1]), Layer(params[2], params[3])))
    optimizer = Optimizer(**settings)

    def pencilnet(compiled):
        return pencilnet_run(model, inputs, targets, engine.Schedule(rate, 1, size, optimizer=optimizer), compiled)

    found["pencilnet"] = pencilnet(False)
    if size == 1 and _has_numba():
        found["pencilnet, numba"] = pencilnet(True)
    try:
        import torch
    except ImportError:
        return found
    torch.set_num_threads(1)
    batches = [(torch.from_numpy(inputs[start:start + size]), torch.from_numpy(targets[start:start + size]))
               for start in range(0, samples, size)]

    def torch_optim(epochs):
        layers = [torch.nn.Linear(36, 36, dtype=torch.float64), torch.nn.Linear(36, 2, dtype=torch.float64)]
        with torch.no_grad():
            for layer, w, b in zip(layers, params[0::2], params[1::2], strict=False):
                layer.weight.copy_(torch.from_numpy(w.T))
                layer.bias.copy_(torch.from_numpy(b))
        net = torch.nn.Sequential(layers[0], torch.nn.Sigmoid(), layers[1], torch.nn.Sigmoid())
        if settings["name"] == "adam":
            optimizer = torch.optim.Adam(net.parameters(), lr=rate)
        else:
            optimizer = torch.optim.SGD(net.parameters(), lr=rate, momentum=settings["momentum"])
        for _ in range(epochs):
            for x, t in batches:
                optimizer.zero_grad()
                (0.5 * ((net(x) - t) ** 2).sum() / len(x)).backward()  # the mean over the batch of ½ Σ (o − t)²
                optimizer.step()
        return flat(*(a.detach().numpy() for a in (layers[0].weight.T, layers[0].bias, layers[1].weight.T,
                                                    layers[1].bias)))

    found["PyTorch, torch.optim"] = torch_optim
    return found


def bench_optimizers(args):
    print(f"## Optimizers: per-epoch time on 36-36-2, float64, medians of {args.repeat}")
    print(f"(NumPy {np.__version__}; {_versions()}; BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS')}; "
          f"rates: {', '.join(f'{name} {rate}' for name, (_, rate) in OPTIMIZERS.items())})\n")
    clock = time.process_time if os.environ["OPENBLAS_NUM_THREADS"] == "1" else time.perf_counter
    inputs, targets, params = workload(NETWORKS["36-36-2"], args.samples)
    results = {}
    for name, (settings, rate) in OPTIMIZERS.items():
        for mode, size in (("online", 1), ("mini-batch 32", 32)):
            found = optimizer_contenders(inputs, targets, params, size, settings, rate)
            results[name, mode] = _measure(found, HAND, f"{name}, {mode}, {len(inputs):,} samples", args, clock)
    _training_table(results, HAND, "optimizer, mode")
    ratios = [f"{name} {mode} {medians['pencilnet'] / medians[HAND]:.2f}×" for (name, mode), (medians, _, _)
              in results.items()]
    print(f"pencilnet against the hand-written loop: {', '.join(ratios)} (the target: at most 1.25×)")
    if all("PyTorch, torch.optim" in medians for medians, _, _ in results.values()):
        ratios = [f"{name} {mode} {medians['pencilnet'] / medians['PyTorch, torch.optim']:.2f}×"
                  for (name, mode), (medians, _, _) in results.items()]
        print(f"pencilnet against torch.optim: {', '.join(ratios)} (the target: below 1×)")
    print()


def _numba_start():
    """What the compiled loop costs before it runs: importing numba and loading the compiled code
    from numba's cache, or compiling it when the cache is cold (the first run on a machine)."""
    try:
        import numba  # noqa: F401
    except ImportError:
        return print("numba is not installed: pencilnet's NumPy loop trains.\n")
    code = ("import time; start = time.perf_counter(); import numpy as np\n"
            "from pencilnet.training.compiled_run import CompiledRun\n"
            "from pencilnet.core.model import Layer, Model\n"
            "run = CompiledRun(Model((Layer(np.zeros((2, 2)), [0, 0]),)), 'half_sse')\n"
            "run.train(np.zeros((1, 2)), np.zeros((1, 2)), 1, 0.1, np.zeros((1, 2)))\n"
            "print(time.perf_counter() - start)")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        cold = float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                    check=True).stdout)
        warm = statistics.median(float(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                                      text=True, check=True).stdout) for _ in range(3))
    print(f"numba's start in a new process: {warm:.2f} s with its cache warm (import, load), {cold:.1f} s cold "
          f"(compiling, once per machine). pencilnet uses it for online runs of at least "
          f"{__import__('pencilnet.training.loop').training.loop.COMPILED_FROM:,} updates.\n")


# ---- start-up ----------------------------------------------------------------------------------

def bench_startup(args):
    import pencilnet

    # The package's modules as `pip install .` leaves them, compiled to bytecode; where
    # PYTHONDONTWRITEBYTECODE is set, an editable install would otherwise recompile them each run.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(pencilnet.__file__).parent)], check=True)
    script = Path(sys.executable).with_name("pencilnet")
    cli = [str(script)] if script.exists() else [sys.executable, "-m", "pencilnet"]
    runs = {
        'python -c "import numpy, yaml, rich.console, rich.table, typer"':
            [sys.executable, "-c", "import numpy, yaml, rich.console, rich.table, typer"],
        "pencilnet forward": cli + ["forward"],
        "pencilnet forward --json": cli + ["forward", "--json"],
        "pencilnet --help": cli + ["--help"],
        'python -c "pass"': [sys.executable, "-c", "pass"],
    }
    times = {label: [] for label in runs}
    for _ in range(args.startup_repeat):
        for label, command in runs.items():
            start = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
            times[label].append(time.perf_counter() - start)
    import typer

    print(f"## Start-up: medians of {args.startup_repeat} runs (typer {typer.__version__})\n")
    base = statistics.median(next(iter(times.values())))
    print("| command | time | against the imports |\n|---|---|---|")
    for label, found in times.items():
        median = statistics.median(found)
        print(f"| `{label}` | {median * 1e3:.0f} ms | {median / base:.2f}× |")
    print()


# ---- memory ------------------------------------------------------------------------------------

MEMORY_CHILD = """
import json, os, resource, sys, tracemalloc
import numpy as np
from pencilnet.training import loop as engine
from pencilnet.core.model import Layer, Model
samples, epochs, size, compiled = json.loads(sys.argv[1])
engine.COMPILED_FROM = 0 if compiled else float("inf")
rng = np.random.default_rng(0)
inputs, targets = rng.uniform(size=(samples, 36)), np.eye(2)[rng.integers(2, size=samples)]
model = Model((Layer(rng.uniform(-.5, .5, (36, 36)), rng.uniform(-.5, .5, 36)),
               Layer(rng.uniform(-.5, .5, (36, 2)), rng.uniform(-.5, .5, 2))))
engine.train(model, inputs[:50], targets[:50], engine.Schedule(0.5, 2, size, True))  # imports, compiles
tracemalloc.start()
engine.train(model, inputs, targets, engine.Schedule(0.5, epochs, size, True))
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
try:  # the peak resident size of this process since it started (maxrss would count its parent's, from the fork)
    rss = int(next(line for line in open("/proc/self/status") if line.startswith("VmHWM")).split()[1]) * 1024
except OSError:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps([peak, rss, inputs.nbytes + targets.nbytes]))
"""


def _memory(samples, epochs, size, compiled=False):
    found = subprocess.run([sys.executable, "-c", MEMORY_CHILD, json.dumps([samples, epochs, size, compiled])],
                           capture_output=True, text=True, check=True)
    return json.loads(found.stdout)


def bench_memory(args):
    print("## Memory: peak of `engine.train`, shuffled (tracemalloc: what training allocates, the data "
          "aside; peak RSS: the whole process)\n")
    print("| 36-36-2 | samples | epochs | traced peak | peak RSS |\n|---|---|---|---|---|")
    paths = [("online, NumPy", 1, False, 100 if args.quick else 200), ("mini-batch 32", 32, False, 2000),
             ("full batch", None, False, 2000)]
    if _has_numba():
        paths.insert(1, ("online, numba", 1, True, 2000))
    for mode, size, compiled, samples in paths:
        found = [_memory(samples, epochs, size, compiled) for epochs in (10, 1000)]
        for epochs, (peak, rss, _) in zip((10, 1000), found, strict=True):
            print(f"| {mode} | {samples:,} | {epochs:,} | {peak / 1024:,.0f} KiB | {rss / 2**20:,.1f} MiB |")
        print(f"| {mode} | | 1,000 against 10 | {found[1][0] / found[0][0]:.3f}× "
              f"(+{(found[1][0] - found[0][0]) / 990:.0f} B/epoch) | {found[1][1] / found[0][1]:.3f}× |")
    counts = [2500, 5000, 10000] if args.quick else [10000, 20000, 40000]
    for mode, size, compiled, _ in paths:
        for samples in counts:
            peak, rss, data = _memory(samples, 2, size, compiled)
            print(f"| {mode} | {samples:,} ({data / 2**20:.1f} MiB of data) | 2 | {peak / 1024:,.0f} KiB "
                  f"({peak / data:.2f}× the data) | {rss / 2**20:,.1f} MiB |")
    print()


def _has_numba():
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return os.environ.get("PENCILNET_NUMBA") != "0"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 samples, 3 repeats: about a minute")
    parser.add_argument("--repeat", type=int, help="timings per contender (default 7, 3 with --quick)")
    parser.add_argument("--samples", type=int, help="training samples (default 4,000, 2,000 with --quick)")
    parser.add_argument("--only", default="training,optimizers,startup,memory", help="which parts, comma-separated")
    parser.add_argument("--networks", default=",".join(NETWORKS), help="which networks to train, comma-separated")
    parser.add_argument("--threads", type=int, help="threads for OpenBLAS and PyTorch (default 1)")
    args = parser.parse_args()
    args.repeat = args.repeat or (3 if args.quick else 7)
    args.samples = args.samples or (2000 if args.quick else 4000)
    args.startup_repeat = 9 if args.quick else 25
    print(f"pencilnet benchmarks, {time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
          f"{platform.machine()}\n")
    started = time.perf_counter()
    parts = args.only.split(",")
    if "training" in parts:
        bench_training(args)
    if "optimizers" in parts:
        bench_optimizers(args)
    if "startup" in parts:
        bench_startup(args)
    if "memory" in parts:
        bench_memory(args)
    print(f"({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    main()
