"""Configuración común de los tests: la raíz del repositorio en sys.path y datos reales compartidos."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

torch.set_num_threads(2)


@pytest.fixture(scope="session")
def fashion():
    """Fashion-MNIST real (cargado una vez por sesión)."""
    from utils.data import load_fashion_mnist

    return load_fashion_mnist()


@pytest.fixture(scope="session")
def real_batch(fashion):
    """Un lote de 16 imágenes reales de prueba, normalizadas, (16, 1, 28, 28), y sus etiquetas."""
    from utils.data import to_float

    return to_float(fashion.test_images[:16]), fashion.test_labels[:16]
