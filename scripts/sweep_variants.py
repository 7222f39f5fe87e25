"""Las opciones para pocos datos del ViT, lado a lado en validación, con el mismo presupuesto de tiempo.

Uso (desde la raíz del repositorio; hora y media en una CPU de 2 núcleos libre con los valores por defecto):

    nice .venv/bin/python scripts/sweep_variants.py                       # 5 variantes (+ la mejor) × 3 semillas × 300 s
    nice .venv/bin/python scripts/sweep_variants.py --budget 60 --seeds 0 --variants receta,sincos,media
    nice .venv/bin/python scripts/sweep_variants.py --quick               # prueba de unos segundos (no es un resultado)

Cada variante es el ViT de la receta rápida (``utils.recipes.QUICK_CONFIG``: parches de 7×7) con una opción de
``utils.vit.ViTConfig`` encendida, con los mismos hiperparámetros (``QUICK_RECIPE``) y el mismo presupuesto:
antes de entrenar se mide el rendimiento de la máquina con unos pasos y se eligen las épocas que caben
(``utils.budget.plan_epochs``; el coseno de la tasa de aprendizaje llega así a su final). Se entrena con la parte
de entrenamiento (55 000 imágenes) y se mide en la de validación (5 000) de ``utils.data.train_val_test``; el
conjunto de prueba no se toca. Tras las variantes de una opción se prueba la «mejor combinación»: las opciones que,
por separado, superaron la media de la receta (si hay al menos dos).

Cada ejecución se guarda en cuanto termina en ``benchmarks/variants.json`` (exactitudes, minutos, equipo, orden):
si se interrumpe, volver a lanzar la misma orden salta lo ya hecho con el mismo presupuesto. Los pesos de cada
entrenamiento se guardan en la carpeta ``modelos`` junto al JSON (``benchmarks/modelos/``, que no se sube).

Al final, y una sola vez, se mide en el conjunto de prueba la variante elegida en validación (la de mayor media; su
entrenamiento con la semilla 0, fijada antes de ver nada): es la respuesta al objetivo de «90 % en 5 minutos». El
resultado va a la clave ``"prueba"`` del JSON; si ya está medida para esa variante, no se vuelve a medir.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import shlex
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils.budget import ResultsFile, budgeted_run, summarize  # noqa: E402
from utils.data import load_fashion_mnist, subset, to_float, train_val_test  # noqa: E402
from utils.recipes import QUICK_CONFIG, QUICK_RECIPE, QUICK_TIME_BUDGET_S  # noqa: E402
from utils.vit import ViT  # noqa: E402

OUT = ROOT / "benchmarks" / "variants.json"

# nombre → (descripción, cambios a QUICK_CONFIG, cambios a QUICK_RECIPE)
VARIANTS = {
    "receta": ("receta rápida (token CLS, posiciones aprendidas)", {}, {}),
    "media": ("+ media global en vez del token CLS", {"pool": "mean"}, {}),
    "sincos": ("+ posiciones seno-coseno 2-D fijas", {"pos_embed": "sincos"}, {}),
    "spt": ("+ parches desplazados (SPT)", {"spt": True}, {}),
    "lsa": ("+ autoatención de localidad (LSA)", {"lsa": True}, {}),
    "spt_lsa": ("+ SPT y LSA juntos (como en Lee et al.)", {"spt": True, "lsa": True}, {}),
    "aumento": ("+ desplazamiento y volteo horizontal", {}, {"use_augment": True}),
    "todas": (
        "+ las cuatro opciones de arquitectura",
        {"pool": "mean", "pos_embed": "sincos", "spt": True, "lsa": True},
        {},
    ),
}
SINGLE_OPTIONS = ["media", "sincos", "spt", "lsa", "spt_lsa", "aumento"]
# Lo que mide la orden sin --variants: la receta, cada idea de un artículo sola (SPT y LSA juntos, como los propone
# Lee et al.) y el volteo; «spt», «lsa» y «todas» quedan para quien quiera medirlas por separado.
DEFAULT_VARIANTS = ["receta", "media", "sincos", "spt_lsa", "aumento"]


def _model_path(results, name: str, seed: int, budget: float) -> Path:
    """Los pesos de un entrenamiento, en la carpeta ``modelos`` junto al JSON (``benchmarks/modelos/``)."""
    return results.path.parent / "modelos" / f"{name}_semilla{seed}_{budget:.0f}s.pt"


def measure_test_once(results, test, budget: float) -> dict | None:
    """Mide en prueba, una sola vez, la variante con la mayor media en validación (su entrenamiento de semilla 0)."""
    from utils.checkpoints import load_checkpoint
    from utils.train import evaluate

    summary = results.data["resumen"]
    best = max(summary, key=lambda n: summary[n]["media"])
    done = results.data.get("prueba")
    if done and done["variante"] == best and math.isclose(done["presupuesto_s"], budget):
        return done  # ya medida: el conjunto de prueba no se mira dos veces
    key = f"{best}|semilla=0"
    run = results.data["ejecuciones"].get(key)
    path = _model_path(results, best, 0, budget)
    if run is None or not path.is_file():
        print(f"No se mide en prueba: falta el entrenamiento {key} o sus pesos ({path}).")
        return None
    model, _ = load_checkpoint(path)
    _, test_acc = evaluate(model, *test)
    results.data["prueba"] = {
        "variante": best,
        "descripcion": summary[best]["descripcion"],
        "regla": "la variante de mayor media en validación; su entrenamiento con la semilla 0; una sola medida",
        "semilla": 0,
        "presupuesto_s": budget,
        "exactitud_validacion": run["exactitud_validacion"],
        "exactitud_prueba": round(test_acc, 4),
        "minutos": run["minutos"],
        "dentro_del_presupuesto": run["dentro_del_presupuesto"],
        "fecha": dt.datetime.now().isoformat(timespec="seconds"),
    }
    results.save()
    return results.data["prueba"]


def mirror_of_positions(path: Path) -> dict[str, float]:
    """La estadística de espejo del cuaderno 06 sobre los embeddings de posición aprendidos de un modelo guardado.

    Con el volteo horizontal, la columna c y la g-1-c ven lo mismo: sus posiciones deberían parecerse más.
    """
    from utils.checkpoints import load_checkpoint
    from utils.explain import mirror_similarity, position_embedding_similarity

    model, _ = load_checkpoint(path)
    sim = position_embedding_similarity(model.pos_embed, exclude_cls=model.config.pool == "cls")
    return {k: round(v, 4) for k, v in mirror_similarity(sim).items()}


def run_variant(results, name, description, config_changes, recipe_changes, train, val, budget, seeds) -> list[dict]:
    config = dataclasses.replace(QUICK_CONFIG, **config_changes)
    recipe = {**QUICK_RECIPE, **recipe_changes}
    runs = []
    for seed in seeds:
        key = f"{name}|semilla={seed}"
        if not results.has(key, budget):
            print(f"→ {description}, semilla {seed}: entrenando…", flush=True)
            result = budgeted_run(
                lambda: ViT(config=config),
                train,
                val,
                recipe,
                budget,
                seed,
                save_to=_model_path(results, name, seed, budget),
            )
            result.update(variante=name, descripcion=description, config=config.to_dict(), presupuesto_s=budget)
            if config.pos_embed == "learned":
                result["espejo_posiciones"] = mirror_of_positions(_model_path(results, name, seed, budget))
            results.add(key, result)
        run = results.data["ejecuciones"][key]
        print(f"  {name}, semilla {seed}: {run['exactitud_validacion']:.2%} en validación, {run['minutos']:.1f} min")
        runs.append(run)
    results.data.setdefault("resumen", {})[name] = {"descripcion": description, **summarize(runs)}
    results.save()
    return runs


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=QUICK_TIME_BUDGET_S, help="segundos por entrenamiento")
    parser.add_argument("--seeds", default="0,1,2", help="semillas separadas por comas")
    parser.add_argument("--variants", default=",".join(DEFAULT_VARIANTS), help=f"de {', '.join(VARIANTS)}")
    parser.add_argument("--out", default=str(OUT), help="JSON de resultados")
    parser.add_argument("--train-size", type=int, default=None, help="usar solo estas imágenes de entrenamiento")
    parser.add_argument(
        "--sin-combinacion", action="store_true", help="no entrenar la mejor combinación (solo las variantes pedidas)"
    )
    parser.add_argument("--quick", action="store_true", help="prueba: 3 s, 1 semilla, 2 variantes, 1 024 imágenes")
    args = parser.parse_args(argv)
    if args.quick:
        args.budget, args.seeds, args.variants, args.train_size = 3.0, "0", "receta,sincos", 1024
    unknown = set(args.variants.split(",")) - set(VARIANTS)
    if unknown:
        parser.error(f"variantes desconocidas {sorted(unknown)}; las hay: {', '.join(VARIANTS)}")
    seeds = [int(s) for s in args.seeds.split(",")]

    split = train_val_test(load_fashion_mnist())
    train_x, train_y = split.train_images, split.train_labels
    if args.train_size:
        train_x, train_y = subset(train_x, train_y, args.train_size)
    train = (to_float(train_x), train_y)
    val = (to_float(split.val_images), split.val_labels)
    if args.quick:
        val = (val[0][:500], val[1][:500])
    command = "python scripts/sweep_variants.py" + "".join(f" {shlex.quote(a)}" for a in (argv or sys.argv[1:]))
    results = ResultsFile(
        args.out,
        {
            "orden": command,
            "presupuesto_s": args.budget,
            "imagenes_entrenamiento": len(train_y),
            "muestra_pequena": bool(args.quick or args.budget < QUICK_TIME_BUDGET_S or len(seeds) < 3),
        },
    )
    names = args.variants.split(",")
    for name in names:
        run_variant(results, name, *VARIANTS[name], train, val, args.budget, seeds)

    summary = results.data["resumen"]
    if "receta" in summary and not args.quick and not args.sin_combinacion:
        better = [n for n in SINGLE_OPTIONS if n in summary and summary[n]["media"] > summary["receta"]["media"]]
        if len(better) >= 2:
            config_changes, recipe_changes = {}, {}
            for n in better:
                config_changes.update(VARIANTS[n][1])
                recipe_changes.update(VARIANTS[n][2])
            run_variant(results, "mejor", "+ " + " y ".join(better) + " (la mejor combinación)", config_changes,
                        recipe_changes, train, val, args.budget, seeds)  # fmt: skip
    if not args.quick and "receta" in summary:
        test = (to_float(split.test_images), split.test_labels)
        done = measure_test_once(results, test, args.budget)
        if done:
            print(
                f"En prueba (una sola vez): {done['descripcion']}, semilla 0: {done['exactitud_prueba']:.2%} "
                f"({done['exactitud_validacion']:.2%} en validación, {done['minutos']:.1f} min de entrenamiento)"
            )
    for s in results.data["resumen"].values():
        print(
            f"{s['descripcion']:<55} {s['media']:.2%} ± {s['desviacion']:.2%} ({s['semillas']} semilla{'s' if s['semillas'] > 1 else ''})"
        )
    return results.data


if __name__ == "__main__":
    main()
