"""Preparación común de los cuadernos: semilla, hilos, figuras y dispositivo."""

from __future__ import annotations

import sys

import matplotlib
import torch

from .train import get_device, is_fast_mode, seed_everything


def setup(seed: int = 0, device: str = "auto") -> torch.device:
    """Prepara un cuaderno: fija la semilla, configura las figuras y devuelve el dispositivo.

    En Colab activa además el gestor de *widgets* para que los controles interactivos funcionen.
    """
    seed_everything(seed)
    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "figure.max_open_warning": 0})
    if "google.colab" in sys.modules:
        try:
            from google.colab import output

            output.enable_custom_widget_manager()
        except Exception:  # fuera de Colab o versión antigua
            pass
    dev = get_device(device)
    mode = "rápido (VIT_FAST=1)" if is_fast_mode() else "completo"
    print(f"PyTorch {torch.__version__} · dispositivo: {dev} · hilos: {torch.get_num_threads()} · modo {mode}")
    return dev
