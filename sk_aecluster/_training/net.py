"""The lean skorch net every trained estimator of the library uses, and its callbacks."""

import functools
import math

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.dataset import get_len
from skorch.utils import TeeGenerator


class StopOnDivergence(Callback):
    """Stop training with a clear error when the training loss is not finite.

    Without it a diverged network (too high a learning rate, say) would
    hand NaN codes to the next step of a pipeline.
    """

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get("train_loss", 0.0)
        if not math.isfinite(loss):
            epoch = len(net.history)
            raise FloatingPointError(
                f"Training diverged: the training loss became {loss} in "
                f"epoch {epoch}. Lower the learning rate (lr={net.lr}) or check "
                "the input for extreme values."
            )


#: The hooks that skorch's ``NeuralNet`` implements as ``pass`` (its
#: ``on_epoch_begin`` and ``on_batch_begin`` start new history rows and always run).
_NET_NO_OP_HOOKS = frozenset(
    {"on_train_begin", "on_train_end", "on_epoch_end", "on_batch_end", "on_grad_computed"}
)


@functools.lru_cache(maxsize=256)
def _overrides(cls, base, method_name):
    """Whether ``cls`` replaces ``base``'s ``method_name`` (a no-op there)."""
    default = getattr(base, method_name, None)
    return default is None or getattr(cls, method_name, None) is not default


def _closure_free(optimizer):
    """Whether ``optimizer.step()`` works without a closure: torch's own but LBFGS."""
    cls = type(optimizer)
    return cls.__module__.startswith("torch.optim") and not isinstance(
        optimizer, torch.optim.LBFGS
    )


# optimizers that run PyTorch's fused kernel unless the caller picks a kernel
_FUSED_DEFAULT_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW)
_FUSED_DEFAULT_DEVICES = ("cpu", "cuda")
_KERNEL_CHOICES = ("fused", "foreach", "differentiable")


class LeanNet(NeuralNet):
    """skorch's ``NeuralNet`` without the work that changes nothing for small networks.

    The same calls, history and callback arguments as skorch's net, minus
    work that changes nothing for a small network trained on the CPU, where
    skorch's per-batch bookkeeping is a measurable share of a step
    (``benchmarks/RESULTS.md``):

    - hooks are only called where they do something: a callback's hook
      only if its class overrides :class:`~skorch.callbacks.Callback`'s
      no-op, the net's own ``on_batch_end``/``on_grad_computed``/... only if
      a subclass overrides skorch's ``pass`` (``on_grad_computed`` is not
      even prepared when nobody listens);
    - ``train(True)`` is only called on a module that is not entirely in
      training mode already;
    - each step's output is released before the next step starts;
    - the ``valid_loss`` callback is left out when there is no validation
      split;
    - :class:`torch.optim.Adam` and :class:`~torch.optim.AdamW` run PyTorch's
      fused kernel on the CPU and CUDA (one pass over each parameter instead
      of a dozen element-wise operations; the same algorithm, results that
      differ in the last bits) unless ``optimizer__fused``,
      ``optimizer__foreach`` or ``optimizer__differentiable`` is given.

    Every trained estimator of the library (the autoencoders, the
    contrastive encoder, the deep clusterers) uses a subclass of it that
    defines its loss (``get_loss``) and, where needed, what a training step
    does to a batch (``train_step_single``).

    Parameters
    ----------
    module : torch.nn.Module
        The network.
    *args, **kwargs
        skorch's :class:`~skorch.NeuralNet` arguments.
    """

    def plain_module(self):
        """The module to call outside the training step: ``module_`` itself.

        Under an accelerator (data-parallel training) the training step's
        ``module_`` is wrapped in ``DistributedDataParallel``, which only
        forwards ``forward``; a net that calls the module's other methods
        (``encode``, ``soft_assign``) while training calls them on
        ``plain_module()``, which is then the unwrapped module.
        """
        return self.module_

    def get_params_for_optimizer(self, prefix, named_parameters):
        """skorch's optimizer arguments, plus ``fused=True`` where it is the default."""
        args, kwargs = super().get_params_for_optimizer(prefix, named_parameters)
        if (
            getattr(self, prefix) in _FUSED_DEFAULT_OPTIMIZERS
            and not any(key in kwargs for key in _KERNEL_CHOICES)
            and torch.device(self.device).type in _FUSED_DEFAULT_DEVICES
        ):
            kwargs["fused"] = True
        return args, kwargs

    @property
    def _default_callbacks(self):
        callbacks = super()._default_callbacks
        if self.train_split is None:
            callbacks = [(n, cb) for n, cb in callbacks if n != "valid_loss"]
        return callbacks

    def _set_training(self, training=True):
        """skorch's mode switch, skipped for modules already in that mode.

        skorch calls ``train(training)`` on every module and criterion before
        each batch; walking the module tree and setting every flag (about
        10 µs for AE1) is a measurable share of a small network's step, while
        checking the flags costs a quarter of that. A module whose submodules
        all have the requested ``training`` flag is left alone (calling
        ``train`` would not change it); any other is switched as skorch does.
        """
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and any(
                m.training != training for m in module.modules()
            ):
                module.train(training)

    def train_step(self, batch, **fit_params):
        """skorch's training step, without the closure where none is needed.

        skorch hands every optimizer a closure that zeroes the gradients,
        runs :meth:`train_step_single` and notifies ``on_grad_computed``.
        Only :class:`torch.optim.LBFGS` needs it (it evaluates the loss
        several times per step); for the other ``torch.optim`` optimizers the
        same calls are made in the same order without one, as skorch's
        documentation suggests for finer control. Other optimizers get
        skorch's step unchanged.
        """
        optimizers = [getattr(self, name + "_") for name in self._optimizers]
        if not all(_closure_free(opt) for opt in optimizers):
            return super().train_step(batch, **fit_params)
        self._zero_grad_optimizer()
        step = self.train_step_single(batch, **fit_params)
        if self._is_heard("on_grad_computed"):
            self.notify(
                "on_grad_computed",
                named_parameters=TeeGenerator(self.get_all_learnable_params()),
                batch=batch,
                training=True,
            )
        self._step_optimizer(None)
        return step

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        """skorch's epoch loop, letting go of each step's output before the next.

        The same calls, history records and callback arguments as
        :meth:`skorch.NeuralNet.run_single_epoch`; the only change is that the
        step's result (the loss and the reconstruction, with its autograd
        graph) is released at the end of each iteration. skorch keeps it alive
        through the whole next step, so every batch needs fresh memory for its
        activations instead of reusing the last one's: about 8% of AE1's
        training time on the CPU (``benchmarks/RESULTS.md``).
        """
        if iterator is None:
            return
        batch_count = 0
        for batch in iterator:
            self.notify("on_batch_begin", batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            self.history.record_batch(prefix + "_loss", step["loss"].item())
            first = batch[0] if isinstance(batch, (tuple, list)) else batch
            batch_size = len(first) if isinstance(first, torch.Tensor) else get_len(first)
            self.history.record_batch(prefix + "_batch_size", batch_size)
            self.notify("on_batch_end", batch=batch, training=training, **step)
            batch_count += 1
            del step
        self.history.record(prefix + "_batch_count", batch_count)

    def notify(self, method_name, **cb_kwargs):
        if self._own_hook_runs(method_name):
            getattr(self, method_name)(self, **cb_kwargs)
        for cb in self._listeners(method_name):
            getattr(cb, method_name)(self, **cb_kwargs)

    def _is_heard(self, method_name):
        """Whether notifying ``method_name`` would run anything but no-ops."""
        return self._own_hook_runs(method_name) or bool(self._listeners(method_name))

    def _own_hook_runs(self, method_name):
        """Whether the net's own ``method_name`` does something when called."""
        return method_name not in _NET_NO_OP_HOOKS or _overrides(
            type(self), NeuralNet, method_name
        )

    def _listeners(self, method_name):
        """The callbacks whose ``method_name`` is not the base class's no-op."""
        callbacks = self.callbacks_
        cache = self.__dict__.get("_listener_cache")
        if cache is None or cache[0] is not callbacks:
            cache = (callbacks, {})
            self.__dict__["_listener_cache"] = cache
        found = cache[1].get(method_name)
        if found is None:
            found = [
                cb for _, cb in callbacks if _overrides(type(cb), Callback, method_name)
            ]
            cache[1][method_name] = found
        return found


