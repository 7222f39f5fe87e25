"""¿Escala el ViT? El ViT y la CNN de referencia entrenados con subconjuntos anidados de la parte de entrenamiento.

Uso (desde la raíz del repositorio; unas 2,5 horas en una CPU de 2 núcleos libre con los valores por defecto):

    nice .venv/bin/python scripts/scaling.py                               # 5 tamaños × 2 modelos × 3 semillas
    nice .venv/bin/python scripts/scaling.py --sizes 1000,3000 --seeds 0   # solo los tamaños pequeños
    nice .venv/bin/python scripts/scaling.py --quick                       # prueba de unos segundos (no es un resultado)

Los subconjuntos (1 000, 3 000, 10 000, 30 000 y las 55 000 imágenes) salen de la parte de entrenamiento de
``utils.data.train_val_test`` con ``utils.data.subset`` (estratificados y anidados: cada uno contiene al anterior)
y son los mismos para los dos modelos. Cada punto recibe el mismo presupuesto de tiempo (``--budget``, 300 s
por defecto): las épocas se eligen midiendo el rendimiento de la máquina (``utils.budget.plan_epochs``), con un
máximo de ``--max-epochs`` (100) para que los conjuntos pequeños no den miles de pasos sobre las mismas imágenes.
Así cada tamaño tiene un número justo de pasos: todos los que caben en el mismo tiempo, hasta ese máximo. Se mide
en la validación (5 000 imágenes); el conjunto de prueba no se toca.

El ViT es el de la receta rápida (``QUICK_CONFIG``, parches de 7×7) con ``QUICK_RECIPE``; la CNN,
``utils.cnn.SmallCNN`` con ``CNN_RECIPE``. Cada punto se guarda en cuanto termina en ``benchmarks/scaling.json``;
volver a lanzar la misma orden salta lo ya hecho.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils.budget import ResultsFile, budgeted_run, summarize  # noqa: E402
from utils.cnn import SmallCNN  # noqa: E402
from utils.data import load_fashion_mnist, subset, to_float, train_val_test  # noqa: E402
from utils.recipes import CNN_RECIPE, QUICK_CONFIG, QUICK_RECIPE, QUICK_TIME_BUDGET_S  # noqa: E402
from utils.vit import ViT  # noqa: E402

OUT = ROOT / "benchmarks" / "scaling.json"
SIZES = [1000, 3000, 10000, 30000, 55000]
MODELS = {
    "vit": ("ViT de la receta rápida", lambda: ViT(config=QUICK_CONFIG), QUICK_RECIPE),
    "cnn": ("CNN de referencia", lambda: SmallCNN(), CNN_RECIPE),
}


def point(results, model, size, train, val, budget, seeds, max_epochs) -> dict:
    """Entrena ``model`` con las ``size`` primeras imágenes del orden estratificado, con cada semilla."""
    name, make, recipe = MODELS[model]
    x, y = subset(*train, size)  # los mismos para los dos modelos; anidados
    data = (to_float(x), y)
    runs = []
    for seed in seeds:
        key = f"{model}|{size}|semilla={seed}"
        if not results.has(key, budget):
            print(f"→ {name}, {size} imágenes, semilla {seed}: entrenando…", flush=True)
            result = budgeted_run(make, data, val, recipe, budget, seed, max_epochs=max_epochs)
            result.update(modelo=model, imagenes=size, presupuesto_s=budget)
            results.add(key, result)
        run = results.data["ejecuciones"][key]
        print(f"  {model}, {size}, semilla {seed}: {run['exactitud_validacion']:.2%} ({run['plan']['epocas']} épocas)")
        runs.append(run)
    results.data.setdefault("resumen", {})[f"{model}|{size}"] = {"modelo": model, "imagenes": size, **summarize(runs)}
    results.save()
    return results.data["resumen"][f"{model}|{size}"]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=QUICK_TIME_BUDGET_S, help="segundos por punto")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="tamaños separados por comas")
    parser.add_argument("--seeds", default="0,1,2", help="semillas separadas por comas")
    parser.add_argument("--models", default="vit,cnn", help="vit, cnn o los dos")
    parser.add_argument("--max-epochs", type=int, default=100)
    parser.add_argument("--out", default=str(OUT), help="JSON de resultados")
    parser.add_argument("--quick", action="store_true", help="prueba: 2 s por punto, 1 semilla, 256 y 512 imágenes")
    args = parser.parse_args(argv)
    if args.quick:
        args.budget, args.sizes, args.seeds, args.max_epochs = 2.0, "256,512", "0", 3
    sizes = [int(s) for s in args.sizes.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    models = args.models.split(",")
    if set(models) - set(MODELS):
        parser.error(f"modelos desconocidos {sorted(set(models) - set(MODELS))}; usa vit y cnn")

    split = train_val_test(load_fashion_mnist())
    if max(sizes) > len(split.train_labels):
        parser.error(f"el mayor tamaño es {max(sizes)} y la parte de entrenamiento tiene {len(split.train_labels)}")
    val = (to_float(split.val_images), split.val_labels)
    if args.quick:
        val = (val[0][:500], val[1][:500])
    command = "python scripts/scaling.py" + "".join(f" {shlex.quote(a)}" for a in (argv or sys.argv[1:]))
    results = ResultsFile(args.out, {"orden": command, "presupuesto_s": args.budget, "max_epocas": args.max_epochs})
    for size in sizes:
        for model in models:
            point(results, model, size, (split.train_images, split.train_labels), val, args.budget, seeds,
                  args.max_epochs)  # fmt: skip
    return results.data


if __name__ == "__main__":
    main()
