"""La adopción del punto de control nuevo (``scripts/adopt_checkpoint.py``, de uso único) se aplica limpia.

Se prueba sobre una copia de los cuadernos, los tests y el README, con unos metadatos inventados: cada texto que el
programa busca tiene que seguir ahí. Si alguien cambia una de esas celdas antes de adoptar el modelo, este test falla
hoy y no el día de la adopción. Se borra junto con el programa.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "adopt_checkpoint.py"
pytestmark = pytest.mark.skipif(not SCRIPT.exists(), reason="el punto de control nuevo ya se adoptó")


@pytest.fixture
def copy(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("adopt_checkpoint", SCRIPT)
    adopt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(adopt)
    for name in ("notebooks", "tests"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    monkeypatch.setattr(adopt, "ROOT", tmp_path)
    return adopt, tmp_path


def _cells(root: Path, name: str) -> list[str]:
    return [c.source for c in nbformat.read(root / "notebooks" / name, as_version=4).cells]


@pytest.mark.parametrize("test_accuracy", [0.9312, 0.9288])
def test_adoption_applies_cleanly_to_a_copy(copy, test_accuracy):
    from utils.recipes import CHECKPOINT_CONFIG
    from utils.vit import ViT

    adopt, root = copy
    meta = {
        "test_accuracy": test_accuracy,
        "val_accuracy": 0.9301,
        "train_minutes": 400.0,
        "history": {"epoch": list(range(1, 151))},
        "train_images": 55_000,
        "val_images": 5_000,
    }
    adopt.notebook_05(meta)
    adopt.notebook_07()
    adopt.tests(meta, "0" * 64, 456_394)
    adopt.readme(ViT(config=CHECKPOINT_CONFIG), meta)
    adopt.notebooks_06(root)
    adopt.thousands_05(root)

    nb05 = _cells(root, "05_entrenamiento.ipynb")
    assert ('assert shipped_meta["test_accuracy"] >= 0.93' in nb05[27]) == (test_accuracy >= 0.93)
    assert "split_fingerprint(val_idx)" in nb05[27] and "len(y_train)" not in nb05[27]  # vale también en modo rápido
    assert "150 épocas" in nb05[26] and "thousands(len(y_train))" in nb05[3]
    nb06 = _cells(root, "06_visualizacion.ipynb")
    assert "vit_fashion_mnist_primera_edicion.pt" in nb06[22] and "0.7 * reference" in nb06[33]
    nb06b = _cells(root, "06b_fidelidad.ipynb")
    assert nb06b[22].startswith("first_edition, _ = load_checkpoint") and nb06b[24].startswith("## Resumen")
    assert "deletion_curve" in _cells(root, "soluciones/06b_fidelidad_soluciones.ipynb")[6]
    assert "== 456_394" in (root / "tests" / "test_timm_convert.py").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "**93,01 % en validación" in readme and "la atención uniforme y el ViT de la primera edición)" in readme
    with pytest.raises(SystemExit, match="¿Ya se aplicó este programa?|ya no empieza por"):
        adopt.notebooks_06(root)  # dos veces no: se para en vez de escribir encima
