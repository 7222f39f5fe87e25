"""Mide la velocidad y la exactitud del curso en esta máquina y las guarda en benchmarks/results.json.

Uso (desde la raíz del repositorio):

    .venv/bin/python scripts/benchmark.py                 # velocidad + entrenamiento de la receta rápida (~5 min)
    .venv/bin/python scripts/benchmark.py --skip-train    # solo velocidad y punto de control (~1 min)

Qué mide, en la misma ejecución:

1. Imágenes por segundo de entrenamiento (pasada hacia delante, hacia atrás y paso de AdamW, lotes de 128; la
   mejor de ``--rounds`` rondas alternadas)
   del ViT del curso, del ViT de la receta rápida, de la CNN de referencia y de la arquitectura de la
   versión que circula (imágenes ampliadas a 96×96, parches de 16, ancho 512, 2 bloques), esta última también
   con su bucle que pasa el modelo dos veces por paso. Los cocientes comparan cada una con la que circula.
2. Salvo con ``--skip-train``: un entrenamiento real de la receta rápida (``utils.budget.quick_recipe_for_budget``: 5 min) con las
   55 000 imágenes de entrenamiento: segundos por época, exactitud en las 5 000 de validación en cada época y,
   una sola vez al final, en las 10 000 de prueba.
3. La exactitud del punto de control del curso (``checkpoints/vit_fashion_mnist.pt``) en el conjunto de prueba,
   si existe.

No es un test: imprime cifras. Si la CPU está ocupada con otra cosa, las cifras bajan (se guarda la carga
media del sistema al empezar para poder juzgarlo).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils.budget import plan_epochs, quick_recipe_for_budget  # noqa: E402
from utils.checkpoints import load_checkpoint  # noqa: E402
from utils.cnn import SmallCNN  # noqa: E402
from utils.data import load_fashion_mnist, to_float, train_val_test  # noqa: E402
from utils.flops import measure_flops, measure_matmul_gflops  # noqa: E402
from utils.fmt import thousands  # noqa: E402
from utils.recipes import (  # noqa: E402
    CIRCULATING_CONFIG,
    CNN_RECIPE,
    QUICK_CONFIG,
    QUICK_TIME_BUDGET_S,
    measure_train_throughput,
)
from utils.train import cpu_name, evaluate, get_device, seed_everything, train_model  # noqa: E402
from utils.vit import ViT, ViTConfig, count_parameters  # noqa: E402

CHECKPOINT = ROOT / "checkpoints" / "vit_fashion_mnist.pt"


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def throughputs(x_train, y_train, device, steps: int, rounds: int) -> list[dict]:
    """Imágenes por segundo de entrenamiento de cada arquitectura.

    Se mide ``rounds`` veces cada una, alternándolas, y se queda la mejor medida de cada una: si otro proceso
    ocupa la CPU un momento, estropea una ronda y no la comparación entera.
    """
    n = 128 * (steps + 3)
    x, y = x_train[:n], y_train[:n]
    x96 = F.interpolate(x[: 128 * 4], size=CIRCULATING_CONFIG.img_size, mode="bilinear", align_corners=False)
    y96 = y[: 128 * 4]
    torch.manual_seed(0)
    circulating = ViT(config=CIRCULATING_CONFIG)
    rows = [
        ("ViT del curso (28×28, parche 4, ancho 64, 6 bloques)", ViT(config=ViTConfig()), x, y, steps, False),
        (
            "ViT de la receta rápida (28×28, parche 7, ancho 64, 6 bloques)",
            ViT(config=QUICK_CONFIG),
            x,
            y,
            steps,
            False,
        ),
        ("CNN de referencia (3 bloques conv)", SmallCNN(), x, y, steps, False),
        ("Versión que circula (96×96, parche 16, ancho 512, 2 bloques)", circulating, x96, y96, 3, False),
        ("Versión que circula, con su bucle de dos pasadas por paso", circulating, x96, y96, 3, True),
    ]
    best = [0.0] * len(rows)
    for r in range(rounds):
        for i, (_, model, xs, ys, n_steps, double) in enumerate(rows):
            ips = measure_train_throughput(
                model, xs, ys, batch_size=128, steps=n_steps, warmup_steps=1, double_forward=double, device=device
            )
            best[i] = max(best[i], ips)
        print(f"  ronda {r + 1}/{rounds} medida", flush=True)
    results = []
    for (name, model, _, _, n_steps, _), ips in zip(rows, best):
        results.append(
            {
                "modelo": name,
                "parametros": count_parameters(model),
                "imagenes_por_segundo": round(ips, 1),
                "segundos_por_epoca_estimados": round(len(y_train) / ips, 1),
                "pasos_medidos": n_steps,
                "rondas": rounds,
            }
        )
    reference = results[3]["imagenes_por_segundo"]
    for r in results:
        r["veces_mas_rapido_que_la_version_que_circula"] = round(r["imagenes_por_segundo"] / reference, 2)
    return results


def bf16_native() -> bool:
    """Si la CPU dice tener instrucciones bfloat16 (AVX512-BF16 o AMX): sin ellas, bf16 suele ir más despacio."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(f in flags for f in ("avx512_bf16", "amx_bf16"))


def speed_levers(speeds: list[dict], x_train, y_train, device, steps: int, rounds: int) -> dict:
    """Lo lejos que está cada modelo del pico de la CPU, y tres palancas medidas sobre la receta rápida.

    El pico es el mejor producto de matrices fp32 (512, 1024 y 2048) con los mismos hilos. Un paso de
    entrenamiento cuesta unas 3 pasadas hacia delante (la de ida y unas 2 de vuelta), así que los GFLOP/s de un
    modelo son imágenes/s × 3 × FLOPs por imagen (contados con ``FlopCounterMode``). Las palancas: bfloat16 con
    ``torch.autocast``, ``torch.compile`` y lotes de 256 (con la tasa de aprendizaje escalada, el mismo coste por
    imagen). Si una no funciona en esta máquina, se apunta por qué y se sigue.
    """
    peak = max(measure_matmul_gflops(n) for n in (512, 1024, 2048))
    x, y = x_train[: 128 * (steps + 3)], y_train[: 128 * (steps + 3)]
    models = {
        speeds[0]["modelo"]: ViT(config=ViTConfig()),
        speeds[1]["modelo"]: ViT(config=QUICK_CONFIG),
        speeds[2]["modelo"]: SmallCNN(),
    }
    of_peak = []
    for row in speeds[:3]:
        flops = measure_flops(models[row["modelo"]].eval(), x[:8])
        gflops = row["imagenes_por_segundo"] * 3 * flops / 1e9
        of_peak.append(
            {
                "modelo": row["modelo"],
                "mflops_por_imagen": round(flops / 1e6, 2),
                "gflops_por_segundo": round(gflops, 1),
                "porcentaje_del_pico": round(100 * gflops / peak, 1),
            }
        )
    quick = models[speeds[1]["modelo"]]
    base = speeds[1]["imagenes_por_segundo"]
    levers = {"fp32 (la receta)": {"imagenes_por_segundo": base, "veces": 1.0}}
    trials = {
        "bfloat16 (torch.autocast)": dict(autocast=True),
        "torch.compile": dict(compile=True),
        "lotes de 256": dict(batch_size=256),
    }
    for name, options in trials.items():
        try:
            ips = measure_train_throughput(
                quick, x, y, steps=steps // 2 if options.get("batch_size") else steps,
                warmup_steps=3 if options.get("compile") else 1, device=device, rounds=rounds, **options,
            )  # fmt: skip
            levers[name] = {"imagenes_por_segundo": round(ips, 1), "veces": round(ips / base, 2)}
        except Exception as exc:  # una palanca que no funciona aquí no tumba el benchmark
            levers[name] = {"no_disponible": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
        print(f"  {name}: {levers[name]}", flush=True)
    return {
        "pico_matmul_fp32_gflops": round(peak, 1),
        "bf16_nativo_en_la_cpu": bf16_native(),
        "distancia_al_pico": of_peak,
        "palancas_receta_rapida": levers,
    }


def train_quick(x_train, y_train, x_val, y_val, x_test, y_test, device) -> dict:
    """Entrena la receta rápida (las épocas que caben en 5 minutos en esta máquina, como el cuaderno 05) con las
    55 000 imágenes de entrenamiento, la sigue en las 5 000 de validación y la mide una vez en las 10 000 de prueba."""
    recipe, plan = quick_recipe_for_budget(x_train, y_train, n_eval=len(y_val))
    print(f"  {plan['por_que']}", flush=True)
    seed_everything(recipe["seed"])
    model = ViT(config=QUICK_CONFIG)
    start = time.perf_counter()
    history = train_model(model, x_train, y_train, x_val, y_val, device=device, progress=False, **recipe)
    seconds = time.perf_counter() - start
    _, test_acc = evaluate(model, x_test, y_test)
    return {
        "config": QUICK_CONFIG.to_dict(),
        "receta": recipe,
        "plan": plan,
        "epocas": len(history.epoch),
        "segundos_totales": round(seconds, 1),
        "segundos_por_epoca": [round(s, 1) for s in history.seconds],
        "exactitud_validacion_por_epoca": [round(a, 4) for a in history.val_acc],
        "exactitud_validacion": round(history.val_acc[-1], 4),
        "exactitud_prueba": round(test_acc, 4),
        "dentro_del_presupuesto": seconds <= 1.05 * QUICK_TIME_BUDGET_S,
        "presupuesto_s": QUICK_TIME_BUDGET_S,
    }


def train_cnn(x_train, y_train, x_val, y_val, x_test, y_test, device, budget_s: float) -> dict:
    """Entrena la CNN de referencia con tantas épocas como quepan en ``budget_s`` segundos (como el cuaderno 05)."""
    epochs = plan_epochs(SmallCNN(), x_train, y_train, budget_s, n_eval=len(y_val))["epocas"]
    seed_everything(CNN_RECIPE["seed"])
    model = SmallCNN()
    start = time.perf_counter()
    history = train_model(
        model,
        x_train,
        y_train,
        x_val,
        y_val,
        epochs=epochs,
        device=device,
        progress=False,
        **CNN_RECIPE,
    )
    return {
        "parametros": count_parameters(model),
        "epocas": epochs,
        "segundos_totales": round(time.perf_counter() - start, 1),
        "exactitud_validacion": round(history.val_acc[-1], 4),
        "exactitud_prueba": round(evaluate(model, x_test, y_test)[1], 4),
    }


def shipped_checkpoint(x_test, test_labels) -> dict | None:
    """Exactitud del punto de control del curso en ``x_test``, con sus épocas, su tiempo y su equipo."""
    if not CHECKPOINT.exists():
        return None
    model, meta = load_checkpoint(CHECKPOINT)
    _, acc = evaluate(model, x_test, test_labels)
    return {
        "archivo": str(CHECKPOINT.relative_to(ROOT)),
        "exactitud_prueba": round(acc, 4),
        "epocas": len(meta.get("history", {}).get("epoch", [])),
        "minutos_de_entrenamiento": meta.get("train_minutes"),
        "equipo": meta.get("hardware"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Mide la velocidad y la exactitud del curso en esta máquina.")
    parser.add_argument("--threads", type=int, default=2, help="hilos de PyTorch (por defecto 2)")
    parser.add_argument("--skip-train", action="store_true", help="solo medir velocidad (sin entrenar la receta)")
    parser.add_argument("--cnn", action="store_true", help="entrenar también la CNN con el mismo tiempo que el ViT")
    parser.add_argument("--steps", type=int, default=20, help="pasos cronometrados por modelo pequeño y ronda")
    parser.add_argument("--rounds", type=int, default=3, help="rondas de medida (se queda la mejor de cada modelo)")
    parser.add_argument("--device", default="cpu", help="cpu (por defecto), cuda, mps o auto")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    args = parser.parse_args()
    if min(args.threads, args.steps, args.rounds) <= 0:
        parser.error(
            f"--threads, --steps y --rounds deben ser positivos y valen {args.threads}, {args.steps} y {args.rounds}."
        )

    torch.set_num_threads(args.threads)
    device = get_device(args.device)
    results = {
        "fecha": dt.datetime.now().isoformat(timespec="seconds"),
        "equipo": {
            "cpu": cpu_name(),
            "nucleos_logicos": os.cpu_count(),
            "hilos_torch": torch.get_num_threads(),
            "dispositivo": str(device),
            "torch": torch.__version__,
            "python": platform.python_version(),
            "carga_media_al_empezar": load_average(),
        },
        "orden": "python scripts/benchmark.py" + (" --skip-train" if args.skip_train else ""),
    }
    data = load_fashion_mnist()
    # Las mismas partes que el cuaderno 05: 55 000 de entrenamiento, 5 000 de validación y las 10 000 de prueba.
    split = train_val_test(data)
    x_train, y_train = to_float(split.train_images), split.train_labels
    x_val, y_val = to_float(split.val_images), split.val_labels
    x_test, y_test = to_float(split.test_images), split.test_labels
    load = results["equipo"]["carga_media_al_empezar"]
    if load and load[0] >= 0.5:
        print(
            f"Aviso: la CPU ya estaba ocupada al empezar (carga media {load[0]}): las velocidades y los tiempos "
            "saldrán peores que con la CPU libre.",
            flush=True,
        )

    print(f"Velocidad de entrenamiento ({args.threads} hilos, {device}, lotes de 128):", flush=True)
    results["velocidad"] = throughputs(x_train, y_train, device, args.steps, args.rounds)
    print("Pico de la CPU y palancas de velocidad de la receta rápida:", flush=True)
    results["palancas"] = speed_levers(results["velocidad"], x_train, y_train, device, args.steps, args.rounds)

    if args.skip_train:
        results["receta_rapida"] = None
    else:
        print(f"Entrenando la receta rápida ({QUICK_TIME_BUDGET_S} s, 55 000 imágenes)…", flush=True)
        results["receta_rapida"] = train_quick(x_train, y_train, x_val, y_val, x_test, y_test, device)
        if args.cnn:
            budget = results["receta_rapida"]["segundos_totales"]
            print(f"Entrenando la CNN con el mismo tiempo ({budget:.0f} s)…", flush=True)
            results["cnn_mismo_tiempo"] = train_cnn(x_train, y_train, x_val, y_val, x_test, y_test, device, budget)

    results["punto_de_control"] = shipped_checkpoint(x_test, y_test)
    results["equipo"]["carga_media_al_terminar"] = load_average()

    print()
    print(f"{'modelo':<66} {'parámetros':>11} {'imágenes/s':>11} {'s/época':>8} {'× circula':>9}")
    for r in results["velocidad"]:
        print(
            f"{r['modelo']:<66} {thousands(r['parametros']):>11} {thousands(r['imagenes_por_segundo']):>11} "
            f"{r['segundos_por_epoca_estimados']:>8.0f} {r['veces_mas_rapido_que_la_version_que_circula']:>9.2f}"
        )
    lv = results["palancas"]
    print(f"\nPico práctico de la CPU (producto de matrices fp32): {lv['pico_matmul_fp32_gflops']:.0f} GFLOP/s")
    for r in lv["distancia_al_pico"]:
        print(
            f"  {r['modelo']:<66} {r['gflops_por_segundo']:>6.1f} GFLOP/s = {r['porcentaje_del_pico']:>4.1f} % del pico"
        )
    print(
        f"Palancas sobre la receta rápida (bf16 nativo en esta CPU: {'sí' if lv['bf16_nativo_en_la_cpu'] else 'no'}):"
    )
    for name, r in lv["palancas_receta_rapida"].items():
        print(f"  {name:<28} " + (f"×{r['veces']:.2f}" if "veces" in r else f"no disponible ({r['no_disponible']})"))
    quick = results["receta_rapida"]
    if quick:
        verdict = "dentro" if quick["dentro_del_presupuesto"] else "fuera"
        print(
            f"\nReceta rápida: {quick['exactitud_validacion']:.2%} en validación y {quick['exactitud_prueba']:.2%} en prueba tras {quick['epocas']} épocas y "
            f"{quick['segundos_totales']:.0f} s ({verdict} del presupuesto de {QUICK_TIME_BUDGET_S} s); "
            f"segundos por época: {quick['segundos_por_epoca']}"
        )
    if results.get("cnn_mismo_tiempo"):
        c = results["cnn_mismo_tiempo"]
        print(
            f"CNN con el mismo tiempo: {c['exactitud_prueba']:.2%} en {c['epocas']} épocas y {c['segundos_totales']:.0f} s"
        )
    ck = results["punto_de_control"]
    if ck:
        print(f"Punto de control del curso ({ck['archivo']}): {ck['exactitud_prueba']:.2%} en prueba")
    else:
        print(f"Punto de control del curso: todavía no existe '{CHECKPOINT.relative_to(ROOT)}'.")
    print(
        f"Carga media del sistema al empezar y al terminar: {results['equipo']['carga_media_al_empezar']} → "
        f"{results['equipo']['carga_media_al_terminar']} (con {os.cpu_count()} núcleos; más carga = cifras más bajas)"
    )

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"Resultados guardados en {out}")


if __name__ == "__main__":
    main()
