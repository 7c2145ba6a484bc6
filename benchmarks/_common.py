"""Shared helpers of the benchmark scripts: machine description, timing, data."""

import os
import platform
import statistics
import time

import numpy as np
import torch


def machine_description():
    """One line describing the machine and library versions."""
    import sklearn
    import skorch

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"skorch {skorch.__version__}, scikit-learn {sklearn.__version__}, "
        f"Python {platform.python_version()}"
    )


def random_images(n, size=32, channels=3, seed=0):
    """``n`` random uint8 images of shape (size, size, channels)."""
    return np.random.RandomState(seed).randint(0, 256, (n, size, size, channels), dtype=np.uint8)


def timed(fn):
    """Run ``fn()`` and return (seconds, result)."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def abba(a, b, rounds):
    """Alternate ``a`` and ``b`` in ABBA order; return their lists of seconds."""
    ta, tb = [], []
    for r in range(rounds):
        order = (a, b) if r % 2 == 0 else (b, a)
        for fn in order:
            t, _ = timed(fn)
            (ta if fn is a else tb).append(t)
    return ta, tb


def median_ratio(ta, tb):
    """Median over rounds of ``ta[i] / tb[i]``."""
    return statistics.median(x / y for x, y in zip(ta, tb, strict=True))


def matmul_peak_gflops(sizes=(1024, 2048), repeat=10, device="cpu"):
    """fp32 matmul throughput of this process (GFLOP/s): the best over sizes and repeats."""
    device = torch.device(device)
    if device.type == "cuda":
        sizes = (4096, 8192)

    def mm(a, b):
        out = torch.mm(a, b)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return out

    best = 0.0
    for n in sizes:
        a = torch.randn(n, n, device=device)
        b = torch.randn(n, n, device=device)
        mm(a, b)
        for _ in range(repeat):
            t, _ = timed(lambda a=a, b=b: mm(a, b))
            best = max(best, 2 * n**3 / t / 1e9)
    return best
