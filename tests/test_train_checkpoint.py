"""El script que entrena el punto de control del curso: historial por tramos y descripción del modelo."""

from pathlib import Path

import torch

from scripts import train_checkpoint as T
from utils import checkpoints as C
from utils.recipes import CHECKPOINT_RECIPE
from utils.vit import ViT


def _history(accs):
    n = len(accs)
    return {
        "epoch": list(range(1, n + 1)),
        "train_loss": [1.0] * n,
        "train_acc": [0.5] * n,
        "test_loss": [0.9] * n,  # la primera edición evaluaba en prueba en cada época
        "test_acc": list(accs),
        "seconds": [60.0] * n,
        "lr": [1e-3] * (3 * n),
        "interrupted": False,
    }


def test_join_histories_numbers_epochs_consecutively():
    joined = T.join_histories([_history([0.1, 0.2]), _history([0.3, 0.4, 0.5])])
    assert joined["epoch"] == [1, 2, 3, 4, 5]
    assert joined["test_acc"] == [0.1, 0.2, 0.3, 0.4, 0.5]
    assert len(joined["lr"]) == 15 and joined["interrupted"] is False


def test_spanish_number_formats():
    from utils import fmt

    assert T.percent is fmt.percent and T.comma is fmt.comma  # sin formateadores propios en el script
    assert T.percent(0.8985) == "89,85 %" and T.comma(86.25, 1) in ("86,2", "86,3") and T.comma(100.0, 1) == "100,0"


def test_card_lists_every_stage_and_flags_a_weak_model(tmp_path: Path):
    torch.manual_seed(0)
    model = ViT(dim=32, depth=2, num_heads=2, mlp_dim=64)
    meta = {
        "test_accuracy": 0.9012,
        "train_minutes": 12.5,
        "stage_minutes": [5.0, 7.5],
        "hardware": "CPU de prueba",
        "torch": str(torch.__version__),
        "recipe": T.STAGES,
        "history": T.join_histories([_history([0.8]), _history([0.85, 0.9012])]),
        "command": T.COMMAND,
    }
    path = C.save_checkpoint(tmp_path / "m.pt", model, meta)
    T.write_card(path)
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "90,12 %" in card and "12,5 minutos en total" in card
    assert f"1. {T.STAGES[0]['epochs']} épocas, 5,0 minutos" in card
    assert f"2. {T.STAGES[1]['epochs']} épocas, 7,5 minutos" in card
    assert "mirando el conjunto de prueba" in card  # la primera edición lo dice
    assert card.count("\n| 3 |") == 1  # una fila por época, numeradas de seguido


def test_shipped_checkpoint_was_made_by_the_documented_recipe():
    _, meta = C.load_checkpoint(T.ROOT / "checkpoints" / "vit_fashion_mnist.pt")
    assert meta["command"] == T.COMMAND
    assert meta["recipe"] == CHECKPOINT_RECIPE
    assert len(meta["history"]["epoch"]) == CHECKPOINT_RECIPE["epochs"] and not meta["fast_mode"]
    assert meta["train_images"] == 55_000 and meta["val_images"] == 5_000  # sin las de validación
    assert meta["val_accuracy"] == meta["history"]["val_acc"][-1]


def test_benchmark_reads_the_shipped_checkpoint(fashion):
    from scripts import benchmark
    from utils.data import to_float

    n = 500
    result = benchmark.shipped_checkpoint(to_float(fashion.test_images[:n]), fashion.test_labels[:n])
    assert result["epocas"] == CHECKPOINT_RECIPE["epochs"]
    assert 0.85 <= result["exactitud_prueba"] <= 1.0


def test_fast_run_trains_validates_tests_once_records_and_resumes(tmp_path, capsys, monkeypatch):
    """La receta nueva en modo rápido: entrena, valida, mide la prueba una vez, registra la ejecución y la tarjeta."""
    import json

    import utils.train as UT

    out, runs = tmp_path / "m.pt", tmp_path / "ejecuciones.json"
    calls = {"n": 0}
    real_evaluate = UT.evaluate

    def counting_evaluate(model, images, labels, *a, **k):
        calls["n"] += 1
        return real_evaluate(model, images, labels, *a, **k)

    monkeypatch.setattr(T, "evaluate", counting_evaluate)  # la del script: solo la medida en prueba
    assert T.main(["--fast", "--out", str(out), "--runs", str(runs), "--device", "cpu", "--threads", "1"]) == 0
    assert calls["n"] == 1  # la prueba, una sola vez
    _, meta = C.load_checkpoint(out)
    assert meta["val_images"] == 200 and meta["train_images"] == 256 and len(meta["history"]["val_acc"]) == 1
    assert meta["recipe"]["erase_prob"] > 0 and 0 <= meta["test_accuracy"] <= 1
    assert not out.with_name("m.estado.pt").exists()  # el estado se borra al terminar
    entries = json.loads(runs.read_text(encoding="utf-8"))
    assert len(entries) == 1 and entries[0]["modo_rapido"] and entries[0]["exactitud_validacion"] is not None
    card = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "Curva de validación" in card and "una sola vez al final" in card and "--fast" in card
    assert "la mediana de una época" in card  # robusta a las épocas con la CPU compartida
    assert "validación (200 imágenes, al final)" in card and "256 imágenes de entrenamiento y 200 de validación" in card
    figure = tmp_path / "m_curvas.png"
    assert f"]({figure.name})" in card and figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # la curva, en la tarjeta


def test_interrupted_run_resumes_from_its_state(tmp_path, monkeypatch):
    out, runs = tmp_path / "m.pt", tmp_path / "ejecuciones.json"
    real_step = torch.optim.AdamW.step
    calls = {"n": 0}

    def ctrl_c_later(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 12:  # la época rápida tiene 8 pasos: se interrumpe en la segunda
            raise KeyboardInterrupt
        return real_step(self, *a, **k)

    monkeypatch.setattr(T, "FAST_EPOCHS", 2)
    monkeypatch.setattr(torch.optim.AdamW, "step", ctrl_c_later)
    args = ["--fast", "--out", str(out), "--runs", str(runs), "--device", "cpu", "--threads", "1"]
    assert T.main(args) == 1 and not out.exists() and out.with_name("m.estado.pt").exists()
    monkeypatch.setattr(torch.optim.AdamW, "step", real_step)
    assert T.main(args) == 0 and out.exists()
    _, meta = C.load_checkpoint(out)
    assert meta["history"]["epoch"] == [1, 2]
    assert [m["desde_epoca"] for m in meta["machines"]] == [1, 2]  # el segundo lanzamiento siguió en la época 2
    assert not T.machines_path(out).exists()  # ya está en los metadatos


def test_card_says_which_machine_trained_each_span():
    runs = [
        {"desde_epoca": 1, "equipo": "CPU A"},
        {"desde_epoca": 41, "equipo": "CPU A"},  # reanudado en la misma máquina: un solo tramo
        {"desde_epoca": 87, "equipo": "CPU B"},
        {"desde_epoca": 90, "equipo": "CPU C"},  # no terminó ninguna época
        {"desde_epoca": 90, "equipo": "CPU B"},
    ]
    assert T.describe_machines(runs, 150) == "CPU A (épocas 1–86); CPU B (épocas 87–150)"
    assert T.describe_machines(runs[:1], 150) == "CPU A"


def test_runs_table_lists_an_interrupted_run_without_test(tmp_path):
    import json

    runs = tmp_path / "ejecuciones.json"
    lost = {"fecha": "2026-12-01", "orden": T.COMMAND, "receta": {"epochs": 150}, "interrumpida": True}
    lost |= {"epocas_hechas": 59, "exactitud_validacion": 0.9068, "exactitud_prueba": None, "minutos": None}
    runs.write_text(json.dumps([lost | {"nota": "se perdió con la máquina"}]), encoding="utf-8")
    table = T._runs_table(runs)
    assert "| 59 de 150 | 90,68 % | — | — |" in table and "- 2026-12-01: se perdió con la máquina" in table
    real = T._runs_table(T.RUNS)  # el archivo del curso: cada ejecución, también la interrumpida
    assert "59 de 150" in real and "92,66 %" in real
