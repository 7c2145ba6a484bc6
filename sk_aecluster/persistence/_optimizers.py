"""The optimizers a network estimator's ``optimizer`` parameter may be."""

import torch

#: ``torch.optim`` classes an autoencoder's ``optimizer`` may be, by name.
TORCH_OPTIMIZERS = {
    f"torch.optim.{name}": getattr(torch.optim, name)
    for name in (
        "SGD", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "ASGD",
        "NAdam", "RAdam", "RMSprop", "Rprop",
    )
    if hasattr(torch.optim, name)
}
