"""Data-parallel training through Hugging Face Accelerate: the ``accelerator`` parameter.

An estimator given an ``accelerate.Accelerator`` builds and checks its
(plain) skorch net as usual, on ``accelerator.device``, and then trains it
through an *accelerated view* of it: an object of the class
``Accelerated<Net>`` (the net's own class with skorch's
:class:`~skorch.hf.AccelerateMixin` behind it) that shares the net's
modules, optimizer, history and callbacks but has its own attributes. The
view's module is wrapped for data-parallel training
(``DistributedDataParallel`` on several processes), its optimizer and
batches are the accelerator's; the net itself is never touched, so after
training it is exactly the plain net a fit without an accelerator leaves:
it pickles, saves with :func:`sk_aecluster.save_model` and transforms in any
process.

Nothing here imports ``accelerate`` (or ``skorch.hf``) unless an
accelerator is used; the default path does not come here at all.

What a new estimator and its net need (``BaseNetEstimator`` does the rest):

- an ``accelerator=None`` argument, and ``self._train_net(dataset,
  accelerator, seed)`` instead of ``self.net_.partial_fit(dataset, None)``
  when ``fit`` is not ``_fit_net`` (``accelerator = self._fit_accelerator()``
  checks the parameter; with one, build the net on ``accelerator.device``
  and take the seed from :func:`common_seed`);
- batches from :class:`~sk_aecluster._training.data.BatchLoader` or a
  subclass built on its ``_batch_sampler`` / ``_index_batches``
  (:mod:`.sharding` shards those);
- in the net, calls of the module's methods other than ``forward`` outside
  the training step (encoding all samples in a hook) go through
  ``self.plain_module()``: ``module_`` is wrapped while training;
- every trainable parameter gets a gradient in every step (a module part
  the loss does not use, such as DEC's decoder, gets ``requires_grad=False``):
  ``DistributedDataParallel`` fails otherwise ("Expected to have finished
  reduction in the prior iteration");
- attributes a net sets on itself while training (``converged_``, ...) are
  copied back to the plain net afterwards.
"""

import copy
import functools

import numpy as np
import torch

from .seeding import manual_seed
from .sharding import sharded


def check_accelerator(accelerator, name):
    """``accelerator`` if it is an ``accelerate.Accelerator``, else a clear error.

    Raises an ``ImportError`` when Hugging Face Accelerate is not installed
    and a ``TypeError`` for anything but an ``Accelerator``.
    """
    try:
        from accelerate import Accelerator
    except ImportError as exc:
        raise ImportError(
            f"{name}: accelerator={accelerator!r} needs Hugging Face Accelerate, which "
            "is not installed; install it with pip install 'sk_aecluster[accelerate]'."
        ) from exc
    if not isinstance(accelerator, Accelerator):
        raise TypeError(
            f"{name}: accelerator must be an accelerate.Accelerator or None; got "
            f"{type(accelerator).__module__}.{type(accelerator).__qualname__}."
        )
    return accelerator


def check_optimizer(optimizer, name):
    """Reject optimizers that need a closure: Accelerate steps without one."""
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.LBFGS):
        raise ValueError(
            f"{name}: optimizer={optimizer.__name__} cannot train with an accelerator "
            "(it needs a closure, which Accelerate's optimizer step does not take); "
            "use another optimizer or accelerator=None."
        )


def common_seed(accelerator, seed):
    """The main process's ``seed``, on every process (one broadcast when there are several).

    With ``random_state=None`` every process draws its own seed; training
    needs one: the same initial weights and the same shuffled batches to
    split between the processes.
    """
    if accelerator.num_processes == 1:
        return seed
    from accelerate.utils import broadcast_object_list

    return int(broadcast_object_list([int(seed)], from_process=0)[0])


def process_seeds(seed, num_processes, process_index):
    """``(shuffle_seed, own_seed)``: the batches' seed, shared, and this process's seed.

    Both drawn from ``seed`` with :class:`numpy.random.SeedSequence`, so the
    processes shuffle alike and augment (or drop out) independently.
    """
    state = np.random.SeedSequence([int(seed), int(num_processes)]).generate_state(
        num_processes + 1
    )
    return int(state[0]), int(state[1 + process_index])


def _has_parameters(module):
    return any(True for _ in module.parameters())


@functools.cache
def _adapter():
    """skorch's ``AccelerateMixin``, adapted to the library's nets (built on first use)."""
    from skorch.hf import AccelerateMixin

    from .net import LeanNet

    class AccelerateAdapter(AccelerateMixin, LeanNet):
        """skorch's ``AccelerateMixin`` with three changes for the library's nets.

        - Criteria without parameters (``MSELoss``, NT-Xent) are not
          prepared: ``DistributedDataParallel`` refuses a module without
          parameters, and there is nothing to synchronise.
        - ``get_iterator`` does not hand the loader to ``accelerator.prepare``,
          which cannot re-create a loader of whole batches
          (:class:`~sk_aecluster._training.data.BatchLoader`): the sharded
          loader the view uses (:mod:`~sk_aecluster._training.sharding`)
          splits the batches between the processes and moves them to the
          device itself.
        - ``plain_module()`` is ``module_`` without its data-parallel wrapper,
          for the net's own calls of the module's methods outside the training
          step (``encode``, DEC's soft assignments of all samples).
        - It sits *behind* the net's own class (``Accelerated<Net>`` is
          ``(Net, AccelerateAdapter)``), so the net's ``train_step_single``
          (augmentation, two views) runs first and hands the batch on to the
          mixin's, which backpropagates through the accelerator.
        """

        def _initialize_accelerator(self):
            if self._wrapped_with_accelerator:
                return self
            prepare = self.accelerator.prepare
            for name in self._criteria:
                criterion = getattr(self, name + "_")
                if isinstance(criterion, torch.nn.Module) and _has_parameters(criterion):
                    setattr(self, name + "_", prepare(criterion))
            for name in self._modules:
                module = getattr(self, name + "_")
                if isinstance(module, torch.nn.Module):
                    setattr(self, name + "_", prepare(module))
            for name in self._optimizers:
                optimizer = getattr(self, name + "_")
                if isinstance(optimizer, torch.optim.Optimizer):
                    setattr(self, name + "_", prepare(optimizer))
            self._wrapped_with_accelerator = True
            return self

        def get_iterator(self, dataset, training=False):
            return LeanNet.get_iterator(self, dataset, training=training)

        def plain_module(self):
            return self.accelerator.unwrap_model(self.module_)

    return AccelerateAdapter


@functools.cache
def accelerated_class(net_class):
    """``Accelerated<Net>``: ``net_class`` trained through its accelerator."""
    return type(
        f"Accelerated{net_class.__name__}",
        (net_class, _adapter()),
        {"__module__": __name__, "__doc__": f"{net_class.__name__} trained by Accelerate."},
    )


#: attributes the accelerated view has for itself (set in :func:`_accelerated_view`)
_VIEW_ONLY = frozenset({
    "accelerator", "unwrap_after_train", "_wrapped_with_accelerator", "_listener_cache",
    "callbacks_",
})


def _accelerated_view(net, accelerator, shuffle_seed):
    """An ``Accelerated<Net>`` sharing ``net``'s components, with its own attributes.

    The view keeps ``net.device`` (``accelerator.device``): skorch moves
    nothing while training, and the net's own code (a target on the device,
    say) sees the device it expects.
    """
    from skorch.callbacks import PrintLog

    n, rank = accelerator.num_processes, accelerator.process_index
    view = object.__new__(accelerated_class(type(net)))
    view.__dict__.update(net.__dict__)
    attrs = {
        "accelerator": accelerator,
        "unwrap_after_train": True,
        "_wrapped_with_accelerator": False,
        "_listener_cache": None,
    }
    for prefix in ("iterator_train", "iterator_valid"):
        attrs[prefix] = sharded(getattr(net, prefix))
        attrs[f"{prefix}__num_shards"] = n
        attrs[f"{prefix}__shard"] = rank
        attrs[f"{prefix}__to_device"] = accelerator.device
    if shuffle_seed is not None:
        attrs["iterator_train__generator"] = torch.Generator().manual_seed(shuffle_seed)
    # the epoch table from the main process only, by a copy of PrintLog (a
    # sink other than print prints whatever the verbosity: only when verbose)
    callbacks = []
    for name, cb in net.callbacks_:
        if isinstance(cb, PrintLog) and cb.sink is print and net.verbose:
            cb = copy.copy(cb)
            cb.sink = accelerator.print
        callbacks.append((name, cb))
    attrs["callbacks_"] = callbacks
    view.__dict__.update(attrs)
    return view


def _write_back(view, net):
    """Copy onto ``net`` the state the view's training set on itself (``converged_``, ...).

    Everything but the view's own attributes and the (wrapped) components;
    the components themselves are shared and already hold the trained state.
    """
    own = _VIEW_ONLY | {
        name + "_" for name in net._modules + net._criteria + net._optimizers
    }
    for key, value in vars(view).items():
        if key in own or key.startswith(("iterator_train", "iterator_valid")):
            continue
        if net.__dict__.get(key, _MISSING) is not value:
            net.__dict__[key] = value


_MISSING = object()


#: what ``accelerator.prepare`` sets on a module or optimizer it is given
#: (the flag, and mixed precision's wrapped ``forward`` and patched ``step``)
_ACCELERATE_ATTRS = frozenset({"_is_accelerate_prepared", "_original_forward", "forward", "step"})


def _components(net):
    return [
        getattr(net, name + "_")
        for name in net._modules + net._criteria + net._optimizers
        if isinstance(getattr(net, name + "_", None), (torch.nn.Module, torch.optim.Optimizer))
    ]


def train_data_parallel(net, dataset, accelerator, seed):
    """Train the initialised plain ``net`` on ``dataset`` with ``accelerator``.

    Call it inside :func:`~sk_aecluster._training.seeding.seeded` with
    ``seed`` (the same on every process: :func:`common_seed`), after the
    net is built: the initial weights are then the same everywhere. With
    several processes each one reseeds torch with its own seed
    (:func:`process_seeds`) for augmentations and dropout, while all shuffle
    the batches with one shared generator and take every
    ``num_processes``-th batch. With one process the random numbers are
    those of a fit without an accelerator.

    Afterwards ``net``'s modules and optimizer hold the trained state and
    ``net.history`` the epochs; the accelerator keeps no reference to them,
    and attributes Accelerate set on them (``_is_accelerate_prepared``, a
    patched ``forward``) are removed.
    """
    n, rank = accelerator.num_processes, accelerator.process_index
    shuffle_seed = None
    if n > 1:
        shuffle_seed, own_seed = process_seeds(seed, n, rank)
        manual_seed(own_seed, torch.device(accelerator.device))
    components = _components(net)
    own_attrs = [set(vars(c)) for c in components]
    view = _accelerated_view(net, accelerator, shuffle_seed)
    view._initialize_accelerator()
    prepared = _components(view)
    try:
        view.partial_fit(dataset, None)
    finally:
        view._unwrap_accelerator()
        _write_back(view, net)
        _release(accelerator, prepared + components)
        for component, attrs in zip(components, own_attrs, strict=True):
            for key in (set(vars(component)) - attrs) & _ACCELERATE_ATTRS:
                delattr(component, key)
    return net


def _release(accelerator, objects):
    """Drop the accelerator's references to ``objects`` (it keeps every prepared one)."""
    ids = {id(obj) for obj in objects}
    for attr in ("_models", "_optimizers", "_schedulers", "_dataloaders"):
        held = getattr(accelerator, attr, None)
        if isinstance(held, list):
            held[:] = [obj for obj in held if id(obj) not in ids]
