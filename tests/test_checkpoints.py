import hashlib
import re
import time
from pathlib import Path

import pytest
import torch

from utils import checkpoints as C
from utils.data import to_float
from utils.recipes import CHECKPOINT_CONFIG
from utils.train import evaluate
from utils.vit import ViT, ViTConfig

SHIPPED = Path(__file__).resolve().parents[1] / "checkpoints" / "vit_fashion_mnist.pt"
# SHA-256 de los pesos del punto de control del curso (segunda edición, scripts/train_checkpoint.py).
SHIPPED_WEIGHTS_SHA256 = "5d503a32f2f4f468e453191e8fbd120729bc4741496d5b49bc75744203801c0f"
# El de la primera edición se queda junto al nuevo, con los mismos pesos, para comparar los dos modelos.
FIRST_EDITION = SHIPPED.with_name("vit_fashion_mnist_primera_edicion.pt")
FIRST_EDITION_WEIGHTS_SHA256 = "b9da738a2ae6ee07358bbbb2ef91ff33c4440d4dfc95d483327ba06e12edf36d"


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
    assert model.config == CHECKPOINT_CONFIG
    assert SHIPPED.stat().st_size < 5 * 2**20
    fast = __import__("os").environ.get("VIT_FAST") == "1"
    n = 2000 if fast else 10000
    _, acc = evaluate(model, to_float(fashion.test_images[:n]), fashion.test_labels[:n])
    # La exactitud anotada en los metadatos es la que se mide de verdad con el conjunto completo.
    if not fast:
        assert abs(acc - meta["test_accuracy"]) < 1e-4
    assert acc >= (0.90 if fast else 0.92)  # en modo rápido, solo las 2000 primeras imágenes de prueba
    assert meta["test_accuracy"] >= 0.93  # el objetivo del curso para el modelo que se incluye


def _tamper(path, change):
    payload = torch.load(path, weights_only=True)
    change(payload)
    torch.save(payload, path)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: p["config"].update(num_heads=1), id="config"),
        pytest.param(lambda p: p["metadata"].update(nota="otra"), id="metadatos"),
        pytest.param(lambda p: p["state_dict"]["head.bias"].add_(1e-3), id="pesos"),
    ],
)
def test_hash_covers_config_metadata_and_weights(tmp_path, change):
    path = C.save_checkpoint(tmp_path / "m.pt", _small(), {"nota": "prueba"})
    _tamper(path, change)
    with pytest.raises(C.CheckpointError, match="dañado o fue modificado.*SHA-256 no coincide"):
        C.load_checkpoint(path)


def test_format_1_still_loads_with_a_warning(tmp_path, real_batch):
    model = _small()
    path = C.save_checkpoint(tmp_path / "m.pt", model, {"nota": "vieja"})

    def to_format_1(p):
        p["format_version"] = 1
        p["sha256"] = C.state_dict_sha256(p["state_dict"])

    _tamper(path, to_format_1)
    with pytest.warns(UserWarning, match="formato 1"):
        loaded, meta = C.load_checkpoint(path)
    assert meta == {"nota": "vieja"} and torch.equal(loaded(real_batch[0]), model(real_batch[0]))
    C.upgrade_checkpoint(path)
    assert torch.load(path, weights_only=True)["format_version"] == C.FORMAT_VERSION
    loaded, _ = C.load_checkpoint(path)  # sin aviso: ya es del formato nuevo
    assert torch.equal(loaded(real_batch[0]), model(real_batch[0]))


def test_fsync_file_and_folder_around_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = C.os.fsync, C.os.replace
    monkeypatch.setattr(C.os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(C.os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    C.save_checkpoint(tmp_path / "m.pt", _small())
    assert calls == ["fsync", "replace", "fsync"]


def test_stale_temporary_file_is_cleaned_on_next_save(tmp_path):
    stale = tmp_path / ".m.pt.abc123xy.tmp"
    stale.write_bytes(b"guardado interrumpido")
    old = time.time() - 3600
    __import__("os").utime(stale, (old, old))
    foreign = tmp_path / ".otro.pt.abc123xy.tmp"  # de otro archivo: no es nuestro
    foreign.write_bytes(b"x")
    C.save_checkpoint(tmp_path / "m.pt", _small())
    assert not stale.exists() and foreign.exists()


def test_shipped_checkpoint_is_format_2_with_the_same_weights():
    payload = torch.load(SHIPPED, weights_only=True)
    assert payload["format_version"] == C.FORMAT_VERSION == 2
    assert C.state_dict_sha256(payload["state_dict"]) == SHIPPED_WEIGHTS_SHA256
    assert payload["sha256"] == C.checkpoint_sha256(payload["config"], payload["metadata"], payload["state_dict"])
    readme = (SHIPPED.parent / "README.md").read_text(encoding="utf-8")
    documented = re.search(r"SHA-256 del archivo:\*\* `([0-9a-f]{64})`", readme).group(1)
    assert documented == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()


def test_editing_the_shipped_config_is_caught(tmp_path):
    copy = tmp_path / "vit_fashion_mnist.pt"
    copy.write_bytes(SHIPPED.read_bytes())
    _tamper(copy, lambda p: p["config"].update(num_heads=8))  # misma forma de los pesos: antes cargaba y fallaba más
    with pytest.raises(C.CheckpointError, match="dañado o fue modificado"):
        C.load_checkpoint(copy)


def test_roundtrip_with_a_scalar_parameter(tmp_path):
    """LSA tiene un parámetro 0-D (su temperatura): el SHA-256 también debe poder leer sus bytes."""
    torch.manual_seed(0)
    model = ViT(patch_size=7, spt=True, lsa=True)
    assert any(p.dim() == 0 for p in model.state_dict().values())
    loaded, _ = C.load_checkpoint(C.save_checkpoint(tmp_path / "lsa.pt", model, {}))
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), loaded.state_dict().values()))


def test_first_edition_checkpoint_is_kept_with_its_weights():
    payload = torch.load(FIRST_EDITION, weights_only=True)
    assert C.state_dict_sha256(payload["state_dict"]) == FIRST_EDITION_WEIGHTS_SHA256
    model, meta = C.load_checkpoint(FIRST_EDITION)
    assert model.config == ViTConfig() and meta["test_accuracy"] == pytest.approx(0.9266, abs=1e-4)
    assert "val_accuracy" not in meta  # sin parte de validación: la primera edición
