"""Devices and seeds: how every trained estimator picks its device and seeds torch."""

import contextlib
import functools
import numbers

import numpy as np
import torch
from sklearn.utils import check_random_state


def check_device(device, name):
    """The :class:`torch.device` for ``device``, or a ``ValueError`` naming the problem."""
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{name}: device={device!r} is not a torch device; use 'cpu', 'cuda' "
            "or 'cuda:N'."
        ) from exc
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"{name}: device={device!r} was requested but no CUDA GPU is "
            "available (torch.cuda.is_available() is False). Use device='cpu'."
        )
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"{name}: device={device!r} was requested but MPS is unavailable.")
    return dev


def torch_seed(random_state):
    """The torch seed drawn from ``random_state``."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


# an integer always stands for the same seed: drawn once (a RandomState costs 0.1 ms)
_torch_seed_of_int = functools.lru_cache(maxsize=64)(torch_seed)


def seed_of(random_state):
    """:func:`torch_seed`, cached for integers."""
    if isinstance(random_state, numbers.Integral):
        return _torch_seed_of_int(int(random_state))
    return torch_seed(random_state)


def manual_seed(seed, device):
    """Seed torch's generator for ``device`` (all of them unless on the CPU).

    :func:`torch.manual_seed` also queues the seed for every accelerator
    backend, which costs more than a training step of a small network when
    there is none; on the CPU only the CPU generator is used.
    """
    if device.type == "cpu":
        torch.default_generator.manual_seed(seed)
    else:
        torch.manual_seed(seed)


@contextlib.contextmanager
def seeded(seed, device):
    """Run the block with torch seeded by ``seed``, restoring the caller's RNG state after.

    The caller's global torch random state (CPU, and the CUDA device in use)
    is the same after the block as before it, so fitting an estimator never
    changes the random numbers a user's own code draws.
    """
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        manual_seed(seed, device)
        yield
