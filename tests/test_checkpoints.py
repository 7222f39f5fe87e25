import time
from pathlib import Path

import pytest
import torch

from utils import checkpoints as C
from utils.data import to_float
from utils.train import evaluate
from utils.vit import ViT, ViTConfig

SHIPPED = Path(__file__).resolve().parents[1] / "checkpoints" / "vit_fashion_mnist.pt"


def _small():
    torch.manual_seed(0)
    return ViT(dim=32, depth=2, num_heads=2, mlp_dim=64).eval()


def test_round_trip_gives_identical_logits(tmp_path, real_batch):
    x, _ = real_batch
    model = _small()
    path = C.save_checkpoint(tmp_path / "sub" / "m.pt", model, {"nota": "prueba"})
    loaded, meta = C.load_checkpoint(path)
    assert meta == {"nota": "prueba"} and not loaded.training
    assert torch.equal(loaded(x), model(x))
    into, _ = C.load_checkpoint(path, model=ViT(dim=32, depth=2, num_heads=2, mlp_dim=64))
    assert torch.equal(into(x), model(x))


def test_missing_checkpoint(tmp_path):
    with pytest.raises(FileNotFoundError, match="No existe el punto de control"):
        C.load_checkpoint(tmp_path / "no.pt")


def test_truncated_checkpoint(tmp_path):
    path = C.save_checkpoint(tmp_path / "m.pt", _small())
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(C.CheckpointError, match="truncado"):
        C.load_checkpoint(path)


def test_wrong_hash_is_detected(tmp_path):
    model = _small()
    path = C.save_checkpoint(tmp_path / "m.pt", model)
    payload = torch.load(path, weights_only=True)
    payload["state_dict"]["head.bias"] += 1.0  # pesos modificados, hash viejo
    torch.save(payload, path)
    with pytest.raises(C.CheckpointError, match="SHA-256"):
        C.load_checkpoint(path)


def test_config_mismatch_names_the_fields(tmp_path):
    path = C.save_checkpoint(tmp_path / "m.pt", _small())
    with pytest.raises(C.CheckpointError, match="depth: modelo=3, archivo=2"):
        C.load_checkpoint(path, model=ViT(dim=32, depth=3, num_heads=2, mlp_dim=64))


def test_not_a_course_checkpoint(tmp_path):
    path = tmp_path / "otro.pt"
    torch.save({"pesos": torch.zeros(3)}, path)
    with pytest.raises(C.CheckpointError, match="no es un punto de control del curso"):
        C.load_checkpoint(path)


def test_failed_save_never_clobbers_a_good_file(tmp_path, monkeypatch):
    model = _small()
    path = C.save_checkpoint(tmp_path / "m.pt", model)
    good = path.read_bytes()

    def broken_save(obj, f, *a, **k):
        Path(f).write_bytes(b"medio archivo")
        raise OSError("disco lleno")

    monkeypatch.setattr(C.torch, "save", broken_save)
    with pytest.raises(OSError):
        C.save_checkpoint(path, ViT(dim=32, depth=2, num_heads=2, mlp_dim=64))
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]  # sin temporales olvidados


def test_loading_uses_weights_only(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("¡código ejecutado!",))

    path = C.save_checkpoint(tmp_path / "m.pt", _small())
    payload = torch.load(path, weights_only=True)
    payload["metadata"] = {"x": Evil()}
    torch.save(payload, path)
    with pytest.raises(C.CheckpointError):
        C.load_checkpoint(path)


def test_shipped_checkpoint_loads_fast_and_is_accurate(fashion):
    assert SHIPPED.is_file(), "falta el punto de control entrenado: python scripts/train_checkpoint.py"
    start = time.perf_counter()
    model, meta = C.load_checkpoint(SHIPPED)
    assert time.perf_counter() - start < 1.0
    assert model.config == ViTConfig()
    assert SHIPPED.stat().st_size < 5 * 2**20
    fast = __import__("os").environ.get("VIT_FAST") == "1"
    n = 2000 if fast else 10000
    _, acc = evaluate(model, to_float(fashion.test_images[:n]), fashion.test_labels[:n])
    # La exactitud anotada en los metadatos es la que se mide de verdad con el conjunto completo.
    if not fast:
        assert abs(acc - meta["test_accuracy"]) < 1e-4
    assert acc >= (0.90 if fast else 0.92)  # en modo rápido, solo las 2000 primeras imágenes de prueba
    assert meta["test_accuracy"] >= 0.92  # el objetivo del curso para el modelo que se incluye
