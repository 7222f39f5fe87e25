"""Los scripts del barrido de variantes y del escalado, en modo rápido (un presupuesto de unos segundos)."""

import json
import re

from scripts import scaling, sweep_variants


def test_sweep_variants_quick_writes_a_resumable_json(tmp_path, capsys):
    out = tmp_path / "variants.json"
    data = sweep_variants.main(["--quick", "--out", str(out)])
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved == data
    assert set(saved["resumen"]) == {"receta", "sincos"}
    assert saved["orden"].startswith("python scripts/sweep_variants.py --quick")
    assert saved["equipo"]["cpu"] and saved["muestra_pequena"] is True
    for run in saved["ejecuciones"].values():
        assert 0.0 <= run["exactitud_validacion"] <= 1.0 and run["plan"]["epocas"] >= 1
        assert run["plan"]["imagenes_por_segundo"] > 0 and "cuesta unos" in run["plan"]["por_que"]
        assert run["minutos"] < 1.0
    capsys.readouterr()
    sweep_variants.main(["--quick", "--out", str(out)])  # reanudar: no vuelve a entrenar
    assert "entrenando" not in capsys.readouterr().out
    assert json.loads(out.read_text(encoding="utf-8"))["ejecuciones"] == saved["ejecuciones"]
    assert "prueba" not in saved  # una prueba rápida no es una elección: no se mira el conjunto de prueba


def test_sweep_measures_the_chosen_variant_on_test_once(tmp_path, capsys, monkeypatch):
    from utils import train

    out = tmp_path / "variants.json"
    args = ["--budget", "2", "--seeds", "0", "--variants", "receta,media", "--train-size", "512", "--out", str(out)]
    data = sweep_variants.main(args)
    best = max(data["resumen"], key=lambda n: data["resumen"][n]["media"])
    test = data["prueba"]
    assert test["variante"] == best and test["semilla"] == 0 and 0.0 < test["exactitud_prueba"] < 1.0
    assert (tmp_path / "modelos" / f"{best}_semilla0_2s.pt").is_file()
    calls = []
    monkeypatch.setattr(train, "evaluate", lambda *a, **k: calls.append(1) or (0.0, 0.0))
    again = sweep_variants.main(args)  # reanudar: ni entrena ni vuelve a mirar la prueba
    assert again["prueba"] == test and calls == []


def test_scaling_quick_uses_nested_sizes_for_both_models(tmp_path):
    out = tmp_path / "scaling.json"
    data = scaling.main(["--quick", "--out", str(out)])
    assert set(data["resumen"]) == {"vit|256", "cnn|256", "vit|512", "cnn|512"}
    for run in data["ejecuciones"].values():
        assert run["plan"]["epocas"] <= 3 and run["presupuesto_s"] == 2.0
    assert json.loads(out.read_text(encoding="utf-8"))["max_epocas"] == 3


def test_plan_epochs_fits_the_budget(fashion):
    import torch

    from utils.budget import plan_epochs
    from utils.data import to_float
    from utils.vit import ViT

    torch.manual_seed(0)
    x, y = to_float(fashion.train_images[:1024]), fashion.train_labels[:1024]
    small = plan_epochs(ViT(patch_size=7), x, y, budget_s=1.0, probe_steps=2)
    big = plan_epochs(ViT(patch_size=7), x, y, budget_s=1e6, probe_steps=2, max_epochs=7)
    assert small["epocas"] >= 1 and big["epocas"] == 7 and "máximo" in big["por_que"]
    assert re.search(r"\d\.\d", small["por_que"]) is None  # coma decimal: «unos 0,4 s», no «0.4 s»


def test_budgeted_run_can_stay_quiet(fashion, capsys):
    from utils.budget import budgeted_run
    from utils.data import to_float
    from utils.recipes import QUICK_RECIPE
    from utils.vit import ViT

    x, y = to_float(fashion.train_images[:256]), fashion.train_labels[:256]
    val = (x[:128], y[:128])
    make = lambda: ViT(patch_size=7, dim=32, depth=1, num_heads=2, mlp_dim=32)  # noqa: E731
    quiet = budgeted_run(make, (x, y), val, QUICK_RECIPE, budget_s=0.5, seed=0, max_epochs=1, verbose=False)
    assert capsys.readouterr().out == "" and quiet["epocas_hechas"] == 1
    loud = budgeted_run(make, (x, y), val, QUICK_RECIPE, budget_s=0.5, seed=0, max_epochs=1)
    assert "Época 1/1" in capsys.readouterr().out
    assert loud["exactitud_validacion"] == quiet["exactitud_validacion"]  # callar no cambia el resultado
