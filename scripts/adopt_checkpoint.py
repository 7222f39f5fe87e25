"""Uso único: pone el curso al día cuando ``scripts/train_checkpoint.py`` termina el punto de control nuevo.

Cuando el entrenamiento de la segunda edición sustituye a ``checkpoints/vit_fashion_mnist.pt``, varias cosas que
hablan del modelo incluido cambian con él: la sección 10 del cuaderno 05 (su fila en la tabla y lo que se lee de
ella), las cifras de tamaño del cuaderno 07 (dimensión 96 y MLP de 192), lo que dicen el 06, el 06b y sus soluciones
de los mapas de atención (con el modelo de la primera edición como control), la huella de sus pesos y su configuración
en los tests, y la sección «El modelo entrenado» del README. Este programa las reescribe desde los metadatos del punto
de control (ninguna cifra escrita a mano) y se borra una vez usado, con su test
(``tests/test_adopt_checkpoint.py``, que lo prueba sobre una copia). Después hay que volver a ejecutar en modo completo los
cuadernos que cargan el punto de control (02, 05, 05b, 06, 06b, 07 y sus soluciones): los `assert` del 06 y el 06b
comprueban sus frases nuevas con el modelo final. Y pasar la orden de tests del README.

    python scripts/adopt_checkpoint.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from utils import checkpoints as C  # noqa: E402
from utils.fmt import comma, percent, thousands  # noqa: E402
from utils.recipes import CHECKPOINT_CONFIG  # noqa: E402
from utils.vit import count_parameters  # noqa: E402

CHECKPOINT = ROOT / "checkpoints" / "vit_fashion_mnist.pt"
FIRST_EDITION_WEIGHTS_SHA256 = "b9da738a2ae6ee07358bbbb2ef91ff33c4440d4dfc95d483327ba06e12edf36d"

SECTION_10 = """## 10. La prueba, una vez por modelo

Ya no queda nada que elegir: ahora, y solo ahora, medimos cada modelo en prueba, una vez. Añadimos el punto de
control del curso, `checkpoints/vit_fashion_mnist.pt`: el mismo ViT con parches de 4×4, algo más ancho (dimensión
96), entrenado con `scripts/train_checkpoint.py` durante {epochs} épocas con aumento de datos, con **las mismas 55 000
imágenes de entrenamiento** y juzgado en **las mismas 5 000 de validación** que los dos modelos de este cuaderno. Su
receta se fijó antes de entrenarlo y su prueba se midió una sola vez, al final (la cifra está en su descripción,
`checkpoints/README.md`): aquí la medimos de nuevo, y sale la misma cifra (la salida imprime las dos). En la primera
edición no era así:
aquel punto de control entrenó también con las imágenes de validación y sus épocas se eligieron mirando la prueba.
"""

TABLE_CELL = """shipped, shipped_meta = load_checkpoint(ROOT / "checkpoints" / "vit_fashion_mnist.pt")
assert shipped_meta["split_sha256"] == split_fingerprint(val_idx)  # la misma partición: 55 000 y 5 000
rows = [
    ("ViT, receta rápida", model, "no", len(history.epoch), vit_seconds / 60, vit_val_acc),
    ("CNN de referencia", cnn, "no", cnn_epochs, cnn_seconds / 60, cnn_val_acc),
    ("Punto de control del curso", shipped, "sí", len(shipped_meta["history"]["epoch"]),
     shipped_meta["train_minutes"], shipped_meta["val_accuracy"]),
]  # fmt: skip
table = ["| Modelo | Aumento | Épocas | Minutos | Validación | Prueba |", "|---|---|---:|---:|---:|---:|"]
test_acc = {}
for name, net, aug, epochs, minutes, val in rows:
    test_acc[name] = evaluate(net, x_test, y_test)[1]  # la única vez que cada modelo ve la prueba
    table.append(f"| {name} | {aug} | {epochs} | {comma(minutes, 1)} | {percent(val)} | {percent(test_acc[name])} |")
display(Markdown("\\n".join(table)))
vit_test, cnn_test, shipped_test = test_acc.values()
print(
    f"Validación − prueba: ViT {comma((vit_val_acc - vit_test) * 100, 1, sign=True)} puntos, "
    f"CNN {comma((cnn_val_acc - cnn_test) * 100, 1, sign=True)}, "
    f"punto de control {comma((shipped_meta['val_accuracy'] - shipped_test) * 100, 1, sign=True)}"
)
print(
    f"El punto de control entrenó {comma(shipped_meta['train_minutes'] / 60, 1)} horas; su prueba, medida al terminar: "
    f"{percent(shipped_meta['test_accuracy'])} (aquí, {percent(shipped_test)})."
)
assert abs(vit_val_acc - vit_test) < 0.05 and abs(cnn_val_acc - cnn_test) < 0.05
assert abs(shipped_test - shipped_meta["test_accuracy"]) < 0.02  # la de su descripción (igual con las 10 000)
assert shipped_test > max(vit_test, cnn_test)
"""

READINGS = """Tres lecturas de la tabla (las cifras, en la salida):

- **Validación y prueba dicen casi lo mismo** para los tres modelos, elegidos en validación: con 5 000 imágenes, el
  error estándar de una exactitud en torno al 90 % es de unos 0,4 puntos, así que pocas décimas de diferencia son
  ruido (el `assert` exige menos de 5 puntos). La validación nos dejó elegir sin gastar la prueba.
- **Presupuestos distintos.** El punto de control entrenó unas {hours} horas, con aumento de datos y más ancho,
  frente a los 5 minutos como mucho de los otros dos: esa fila compara presupuestos, no arquitecturas (la tabla dice
  épocas y minutos). La CNN no se entrenó tanto, así que no sabemos cuánto ganaría con el mismo tiempo.
{third}
"""

GOAL_MET = """- **Un ViT puro por encima de las CNN.** Con {hours} horas de CPU y sin ninguna convolución, el punto de control
  pasa del 93 % en prueba: por encima de la CNN de dos convoluciones de la tabla de Fashion-MNIST (92,5 %) y de
  nuestra CNN con su presupuesto corto. El sesgo inductivo se puede suplir, en parte, con tiempo y aumento de datos;
  el cuaderno 07 mide cómo cambia la ventaja de la CNN con el tamaño del conjunto."""

GOAL_MISSED = """- **El objetivo no se alcanzó.** La segunda edición buscaba al menos un 93 % en prueba con todas las elecciones
  en validación; el punto de control se queda por debajo (la tabla). Es una cifra honesta: no se volvió a entrenar
  mirando la prueba."""

README_SECTION = """## El modelo entrenado

`checkpoints/vit_fashion_mnist.pt` es el ViT del curso, algo más ancho (parches de {c.patch_size}×{c.patch_size},
dimensión {c.dim}, MLP de {c.mlp_dim}, {c.depth} bloques, {c.num_heads} cabezas; {params} parámetros): {epochs} épocas
con una sola programación de calentamiento y coseno, con desplazamiento, volteo y borrado aleatorio, en la CPU.
Entrenó con las {train} imágenes de entrenamiento; su receta se fijó antes de entrenar (`utils/recipes.py`), se juzgó
en las {val_images} de validación y la prueba se midió una sola vez, al final: **{val} en validación y {test} en
prueba**, en {hours} horas de CPU. Su tarjeta ([`checkpoints/README.md`](checkpoints/README.md)) tiene la receta, la
curva de validación, las máquinas y la lista de ejecuciones
([`benchmarks/checkpoint_runs.json`](benchmarks/checkpoint_runs.json)). Se vuelve a entrenar con una sola orden,
reanudable si se interrumpe: `nice python scripts/train_checkpoint.py >> entrenamiento.log 2>&1 &` (en una CPU de 2
núcleos, de 4 a 8 horas según la máquina). El de la primera edición (92,66 % en prueba, con sus épocas elegidas
mirando la prueba) se queda, para comparar, en `checkpoints/vit_fashion_mnist_primera_edicion.pt`.
Las últimas cifras de velocidad y exactitud medidas con
`python scripts/benchmark.py` están en [`benchmarks/results.json`](benchmarks/results.json).

"""


def replace_in(path: Path, pairs: list[tuple[str, str]]) -> None:
    """Sustituye cada texto por el nuevo; se para si alguno no está (el archivo ya cambió)."""
    text = path.read_text(encoding="utf-8")
    for old, new in pairs:
        if old not in text:
            sys.exit(f"No encuentro en {path.relative_to(ROOT)}: {old[:80]!r}. ¿Ya se aplicó este programa?")
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def notebook_05(meta: dict) -> None:
    hours = comma(meta["train_minutes"] / 60, 1)
    path = ROOT / "notebooks" / "05_entrenamiento.ipynb"
    nb = nbformat.read(path, as_version=4)
    intro, table, readings = nb.cells[26], nb.cells[27], nb.cells[28]
    if not (
        "## 10. La prueba" in intro.source
        and table.source.startswith("shipped, shipped_meta = load_checkpoint")
        and readings.source.startswith("Tres lecturas de la tabla")
        and "1.ª edición" in table.source  # todavía la fila de la primera edición
    ):
        sys.exit("Las celdas 26 a 28 del cuaderno 05 ya no son la sección 10 que espera este programa.")
    met = meta["test_accuracy"] >= 0.93
    intro.source = intro.source.split("## 10. La prueba")[0] + SECTION_10.format(epochs=len(meta["history"]["epoch"]))
    goal = 'assert shipped_meta["test_accuracy"] >= 0.93  # el objetivo de la segunda edición, en su única medida\n'
    table.source = (TABLE_CELL + (goal if met else "")).rstrip("\n")
    third = (GOAL_MET if met else GOAL_MISSED).format(hours=hours)
    readings.source = READINGS.format(hours=hours, third=third)
    nbformat.write(nb, path)


def notebook_07() -> None:
    path = ROOT / "notebooks" / "07_mas_alla.ipynb"
    nb = nbformat.read(path, as_version=4)
    edits = [
        (2, "Empezamos cargando el punto de control", "El punto de control es el ViT del cuaderno 04, algo más ancho "
         "(dimensión 96 y MLP de 192 en lugar de 64 y 128;\nlo demás, igual). Empezamos cargando el punto de control"),
        (4, "`mlp_dim` (128)", "`mlp_dim` (192)"),
        (12, 'assert flops_ratio > 1000 and params_ratio > 400 and 100 < rows[1]["flops"] / rows[0]["flops"] < 110',
         'assert 650 < flops_ratio < 750 and params_ratio > 150 and 45 < rows[1]["flops"] / rows[0]["flops"] < 55'),
        (14, "unas 100 veces más FLOPs", "unas 50 veces más FLOPs"),
        (15, '    "del curso": {},', '    "el del cuaderno 04": {},'),  # el punto de control ya es más ancho
        (37, "más de mil veces más FLOPs", "unas 700 veces más FLOPs"),
    ]  # fmt: skip
    _edit_cells(nb, edits, path.name)
    nbformat.write(nb, path)


def tests(meta: dict, weights_sha: str, params: int) -> None:
    target = "0.93" if meta["test_accuracy"] >= 0.93 else "0.92"
    goal = "  # el objetivo del curso para el modelo que se incluye"
    replace_in(ROOT / "tests" / "test_checkpoints.py", [
        (f'SHIPPED_WEIGHTS_SHA256 = "{FIRST_EDITION_WEIGHTS_SHA256}"', f'SHIPPED_WEIGHTS_SHA256 = "{weights_sha}"'),
        ("# SHA-256 de los pesos del punto de control del curso desde que se entrenó (formato 1): volver a\n"
         "# firmarlo con el formato 2 no cambió ni un bit de ellos.\n",
         "# SHA-256 de los pesos del punto de control del curso (segunda edición, scripts/train_checkpoint.py).\n"),
        ("from utils.data import to_float\n", "from utils.data import to_float\nfrom utils.recipes import CHECKPOINT_CONFIG\n"),
        ("    assert model.config == ViTConfig()\n", "    assert model.config == CHECKPOINT_CONFIG\n"),
        (f'    assert meta["test_accuracy"] >= 0.92{goal}', f'    assert meta["test_accuracy"] >= {target}{goal}'),
    ])  # fmt: skip
    replace_in(ROOT / "tests" / "test_adversarial.py", [
        ('    assert model.config == ViTConfig() and meta["test_accuracy"] >= 0.92',
         f'    assert model.config == CHECKPOINT_CONFIG and meta["test_accuracy"] >= {target}'),
        ("from utils.patches import PatchEmbedding, patchify, unpatchify\n",
         "from utils.patches import PatchEmbedding, patchify, unpatchify\nfrom utils.recipes import CHECKPOINT_CONFIG\n"),
    ])  # fmt: skip
    replace_in(ROOT / "tests" / "test_timm_convert.py", [("== 205_962", f"== {params:_}")])
    replace_in(ROOT / "tests" / "test_train_checkpoint.py", [
        ('    assert meta["recipe"] == T.FIRST_EDITION_STAGES  # la primera edición, hasta que se entrene la nueva receta\n'
         '    assert len(meta["history"]["epoch"]) == sum(s["epochs"] for s in T.FIRST_EDITION_STAGES)\n',
         '    assert meta["recipe"] == CHECKPOINT_RECIPE\n'
         '    assert len(meta["history"]["epoch"]) == CHECKPOINT_RECIPE["epochs"] and not meta["fast_mode"]\n'
         '    assert meta["train_images"] == 55_000 and meta["val_images"] == 5_000  # sin las de validación\n'
         '    assert meta["val_accuracy"] == meta["history"]["val_acc"][-1]\n'),
        ('    assert result["epocas"] == sum(s["epochs"] for s in T.STAGES)\n',
         '    assert result["epocas"] == CHECKPOINT_RECIPE["epochs"]\n'),
        ("from utils.vit import ViT\n", "from utils.recipes import CHECKPOINT_RECIPE\nfrom utils.vit import ViT\n"),
    ])  # fmt: skip


def readme(model, meta: dict) -> None:
    text = README_SECTION.format(
        c=model.config,
        params=thousands(count_parameters(model)),
        epochs=len(meta["history"]["epoch"]),
        train=thousands(meta["train_images"]),
        val_images=thousands(meta["val_images"]),
        val=percent(meta["val_accuracy"]),
        test=percent(meta["test_accuracy"]),
        hours=comma(meta["train_minutes"] / 60, 1),
    )
    path = ROOT / "README.md"
    pattern = r"## El modelo entrenado\n.*?\n(?=## Para quien mantiene el curso)"
    new, n = re.subn(pattern, lambda _: text, path.read_text(encoding="utf-8"), flags=re.S)
    if n != 1:
        sys.exit("No encuentro la sección «El modelo entrenado» del README.")
    path.write_text(new, encoding="utf-8")


# --- Cuadernos 06 y 06b: lo que dicen de sus mapas ----------------------------------------------------------------
# Las frases hablan de umbrales que comprueban los `assert`, no de cifras: las cifras salen en las salidas. Se probó
# con el modelo a la época 71 de su entrenamiento (la última capa, 78,5 % en la prenda frente a 56,6 % uniforme;
# rollout, 61,2 %; la cabeza más local, el 80 % de la uniforme). La primera edición, medida en la misma celda, pone
# en la prenda un 53,2 %: por debajo del azar.

NB06_22 = """first_edition, _ = load_checkpoint(ROOT / "checkpoints" / "vit_fashion_mnist_primera_edicion.pt", map_location=device)
first = attention_statistics(first_edition, x_stats, garment)  # otro ViT, las mismas imágenes
compared = {**stats, "primera edición": first}
print(f"Parches con prenda: {percent(garment.float().mean(), 1)} del total")
for name, s in compared.items():
    print(
        f"{name:>15}: última capa {percent(s['prenda (última capa)'], 1)} · rollout {percent(s['prenda (rollout)'], 1)} del mapa sobre la prenda"
    )
trained, uniform = stats["entrenado"], stats["uniforme"]
untrained_gap = max(abs(stats["sin entrenar"][k] - uniform[k]) for k in ("prenda (rollout)", "prenda (última capa)"))
assert untrained_gap < 0.03  # el modelo sin entrenar, como el azar en las dos medidas
assert trained["prenda (última capa)"] > uniform["prenda (última capa)"] + 0.10  # la última capa prefiere la prenda
assert abs(trained["prenda (rollout)"] - uniform["prenda (rollout)"]) < 0.10  # el rollout, cerca del azar
assert trained["prenda (rollout)"] < trained["prenda (última capa)"] - 0.10  # y mucho menos que la última capa
assert first["prenda (última capa)"] < uniform["prenda (última capa)"]  # la primera edición, por debajo del azar"""

NB06_23 = """**La última capa mira la prenda; el rollout, mucho menos.** En el modelo del curso, la atención del CLS en la última capa pone en la prenda más de 10 puntos más de su masa que un mapa uniforme, y el modelo sin entrenar reparte como el azar (los `assert` lo comprueban). El rollout se queda a menos de 10 puntos del azar, y más de 10 por debajo de la última capa: al multiplicar las capas con la identidad de la conexión residual, la preferencia de la última se mezcla con el reparto de todas las demás.

**Una sorpresa que es una lección.** La última fila de la salida es otro ViT, medido igual y con las mismas imágenes: el de la primera edición de este curso (`checkpoints/vit_fashion_mnist_primera_edicion.pt`, de dimensión 64 y con otra receta de entrenamiento). Su última capa pone en la prenda **menos** masa que el azar. En aquella edición, esta sección concluía que un ViT no necesita mirar la prenda y lo explicaba con un argumento que sonaba bien: tras la primera capa, un token del fondo ya contiene información mezclada de toda la imagen, así que copiar de él o de uno de la prenda da casi lo mismo. La explicación era de aquel modelo, no de los ViT: dos ViT del mismo diseño, entrenados para la misma tarea con recetas distintas, miran a sitios distintos. Por eso un mapa de atención se mide con sus controles **cada vez** que cambia el modelo, y lo que se concluye de él se dice de ese modelo.

La entropía de la sección 3 decía que el CLS se concentra; este control dice dónde. Pero mirar la prenda no es lo mismo que usarla para decidir: si la masa sobre la prenda explica la decisión es otra pregunta, que responde una prueba de fidelidad en la parte opcional [06b](06b_fidelidad.ipynb)."""

NB06_34 = """**Lo contrario del artículo.** En Dosovitskiy et al. hay, en las primeras capas, cabezas que miran cerca junto a otras que miran lejos, y la distancia crece con la profundidad. Aquí no hay ninguna cabeza local: todas están por encima del 70 % de la distancia uniforme (14,4 píxeles; el ejercicio 4 te pide cuál se acerca más). El modelo sin entrenar está pegado a la uniforme (a menos de 0,3 píxeles). La figura junta las tres medidas con sus controles.

Una explicación plausible, que este cuaderno no pone a prueba: con parches de 4×4 en una imagen de 28×28, la cuadrícula es de 7×7 y un parche ya es la séptima parte del ancho, así que los detalles locales (un borde, una costura) ocurren **dentro** de un parche, y de ellos se encarga el embedding de parches. Entre parches, la atención une cualquier par en una sola capa: al modelo no le hace falta ir de lo local a lo global como una red convolucional. Dice mucho del **sesgo inductivo** que el ViT *no* tiene: aprende la localidad solo si la tarea la pide."""

NB06_EDITS = [
    (5, "from utils.fmt import percent\n", "from utils.fmt import percent, thousands\n"),
    (5, 'print(f"Exactitud en {n_test} imágenes', 'print(f"Exactitud en {thousands(n_test)} imágenes'),
    (25, "plot_patch_embedding_pca(components, explained);",
     "assert explained[:8].sum() > 0.7  # la mitad de las componentes, más del 70 % de la varianza\n"
     "plot_patch_embedding_pca(components, explained);"),
    (26, "las 8 primeras (de 16) se llevan casi toda, así que",
     "las 8 primeras (de 16) se llevan más del 70 % (el `assert` lo comprueba), así que"),
    (30, "una similitud media de casi 0,5, frente a menos de 0,15 (en torno a 0,04) para los demás pares de la misma "
     "fila a dos o más parches de distancia, y lo mismo para el espejo **vertical**.",
     "una similitud media de más de 0,3, frente a menos de 0,15 para los demás pares de la misma fila a dos o más "
     "parches de distancia, y también menos de 0,15 para el espejo **vertical** (los `assert` comprueban los tres "
     "umbrales; las cifras, en la salida)."),
    (31, "# 2000 imágenes bastan", "# 2 000 imágenes bastan"),
    (31, '    "original": x_flip,\n    "volteo horizontal": x_flip.flip(-1),\n    "volteo vertical": x_flip.flip(-2),',
     '    "originales": x_flip,\n    "volteadas en horizontal": x_flip.flip(-1),\n    "volteadas en vertical": x_flip.flip(-2),'),
    (31, 'print(f"Exactitud con 2000 imágenes de prueba en {name}: {percent(acc, 1)}")',
     'print(f"Exactitud en {thousands(len(y_flip))} imágenes de prueba {name}: {percent(acc, 1)}")'),
    (31, 'flipped["volteo horizontal"] - flipped["original"]', 'flipped["volteadas en horizontal"] - flipped["originales"]'),
    (31, 'flipped["volteo vertical"] < flipped["original"]', 'flipped["volteadas en vertical"] < flipped["originales"]'),
    (33, "assert distances.min() > 0.8 * reference", "assert distances.min() > 0.7 * reference"),
    (38, "(al menos 0,5 nats menos de entropía), pero su rollout pone en la prenda lo mismo que un mapa uniforme "
     "(≈ 57 %) y ninguna cabeza es local: con 7×7 parches, la localidad vive dentro del parche.",
     "(al menos 0,5 nats menos de entropía); su última capa pone en la prenda más de 10 puntos más que un mapa "
     "uniforme, su rollout mucho menos, y ninguna cabeza es local (con 7×7 parches, quizá porque la localidad vive "
     "dentro del parche).\n- **Una conclusión sobre un mapa es de un modelo.** El ViT de la primera edición, medido igual, ponía "
     "en la prenda menos que el azar: cada modelo nuevo, sus controles otra vez."),
    (38, "(≈ 0,5 entre columnas espejo, ≈ 0,04 en los demás pares lejanos de la fila)",
     "(más de 0,3 entre columnas espejo, menos de 0,15 en los demás pares lejanos de la fila)"),
]  # fmt: skip

SOL06_EDITS = [
    (11, "por encima del 80 % de la distancia uniforme", "por encima del 70 % de la distancia uniforme"),
    (12, "assert fraccion > 0.8", "assert fraccion > 0.7"),
    (14, "**2. Si el rollout pone en la prenda lo mismo que un mapa uniforme, ¿el modelo ignora la prenda?** No. La "
     "atención dice de qué tokens copia el CLS, y tras la primera capa los tokens del fondo ya contienen información "
     "de la prenda. Además, el modelo acierta el 92 % de las imágenes: la prenda se usa, solo que no a través de una "
     "atención que la prefiera.",
     "**2. Si el rollout pone en la prenda lo mismo que un mapa uniforme, ¿el modelo ignora la prenda?** No. La "
     "atención dice de qué tokens copia el CLS, y tras la primera capa los tokens del fondo ya contienen información "
     "de la prenda. Es lo que le pasaba al ViT de la primera edición (sección 4): acertaba más del 90 % de las "
     "imágenes, así que usaba la prenda, solo que no a través de una atención que la prefiriera."),
]  # fmt: skip

NB06B_20 = """n_del = LESSON_SIZES["borrado"]
xd, yd, images_d = x_test[:n_del], y_test[:n_del], data.test_images[:n_del]
background = to_float(torch.zeros(1, 28, 28, dtype=torch.uint8)).min().item()  # un píxel negro, normalizado
g, p = cfg.img_size // cfg.patch_size, cfg.patch_size
with torch.no_grad():
    maps_d = model.attention_maps(xd.to(device))
generator = torch.Generator().manual_seed(0)
scores = {
    "rollout (media)": cls_rollout(maps_d),
    "rollout (máx., descarte 0,9)": cls_rollout(maps_d, head_fusion="max", discard_ratio=0.9),
    "última capa": cls_attention(maps_d, -1),
    "gradiente (clase predicha)": gradient_rollout(model, xd),
    "azar": torch.rand(n_del, cfg.num_patches, generator=generator),
    "prenda al azar": garment_patches(images_d, cfg.patch_size)
    + torch.rand(n_del, cfg.num_patches, generator=generator),
    "brillo del parche": images_d.float().reshape(n_del, g, p, g, p).mean((2, 4)),
}
ks = [0, 1, 2, 4, 8, 16, 32, cfg.num_patches]
curves = {name: deletion_curve(model, xd, yd, s, ks, background) for name, s in scores.items()}
area = {name: deletion_area(ks, c, cfg.num_patches) for name, c in curves.items()}
for name, c in curves.items():
    print(f"{name:>30}: área {comma(area[name], 3)} · exactitud con 4 parches borrados {percent(c[ks.index(4)], 1)}")
attention_methods = [name for name in scores if name.startswith(("rollout", "última", "gradiente"))]
hard = min(area["prenda al azar"], area["brillo del parche"])  # el mejor de los dos controles sin modelo
assert max(area[name] for name in attention_methods) < area["azar"] - 0.1  # todos ganan al azar, con holgura
assert area["prenda al azar"] < area["azar"] - 0.1  # y también un control que no mira el modelo
assert min(area[name] for name in attention_methods) > hard - 0.03  # ninguno gana con claridad a los controles duros
plot_deletion_curves(ks, curves, cfg.num_patches, title=f"Curva de borrado en {n_del} imágenes de prueba");"""

NB06B_21 = """Los números, en una ejecución completa con 300 imágenes (áreas: menor = más fiel), dicen dos cosas que comprueban los `assert` de la celda:

- **Todos los mapas ganan al azar, y con holgura:** su área queda más de 0,1 por debajo de la del orden aleatorio. Pero el azar es un control demasiado fácil: borra muchos parches de fondo, que no cambian nada, así que cualquier método que prefiera la prenda le gana sin saber nada del modelo. La fila «prenda al azar» lo demuestra: también gana al azar por más de 0,1, y no mira el modelo en absoluto.
- **Contra los controles que no miran el modelo, ninguno gana con claridad:** ningún mapa de atención queda ni 0,03 por debajo del mejor de «prenda al azar» y «brillo del parche». La regla «lo brillante es lo importante» señala lo que el modelo usa casi tan bien como el mejor mapa de atención, o mejor.

La conclusión es incómoda y es la lección de este cuaderno: ganar al azar no basta para decir que un mapa explica el modelo. Dos advertencias: borrar parches saca las imágenes de la distribución de entrenamiento (Hooker et al., 2019), y con 7×7 parches cada borrado quita mucha imagen de golpe. Y una tercera, la del cuaderno 06: todo esto es de **este** modelo. Lo comprobamos con el ViT de la primera edición, con las mismas imágenes y el mismo orden al azar:"""

NB06B_22 = """first_edition, _ = load_checkpoint(ROOT / "checkpoints" / "vit_fashion_mnist_primera_edicion.pt", map_location=device)
with torch.no_grad():
    maps_first = first_edition.attention_maps(xd.to(device))
first_scores = {"última capa": cls_attention(maps_first, -1), "azar": scores["azar"]}
first_area = {
    name: deletion_area(ks, deletion_curve(first_edition, xd, yd, s, ks, background), cfg.num_patches)
    for name, s in first_scores.items()
}
for name, a in first_area.items():
    print(f"{name:>12}: área {comma(a, 3)} con el ViT de la primera edición · {comma(area[name], 3)} con el del curso")
assert first_area["última capa"] > first_area["azar"] - 0.01  # allí, la última capa no ganaba al azar
assert first_area["azar"] < area["azar"] - 0.1  # y borrar le dolía mucho más"""

NB06B_23 = """Con el ViT de la primera edición, la atención de la última capa **no** gana al azar: borrar los parches a los que más mira el CLS daña menos que borrar al azar (o lo mismo). La edición anterior de este cuaderno concluía de ahí que la atención de la última capa no explica el modelo; con el modelo del curso, la misma medida gana al azar con holgura. La fila del azar dice algo más: al modelo del curso borrar parches le afecta mucho menos (su área al azar es más de 0,1 mayor), seguramente porque entrenó con **borrado aleatorio** (cuaderno 05b) y el de la primera edición no: está acostumbrado a imágenes con huecos. Una curva de borrado mide a la vez lo que el modelo usa y lo bien que lleva los huecos; por eso solo se comparan métodos sobre un mismo modelo."""

NB06B_EDITS = [
    (0, "En el cuaderno 06 vimos que el rollout de atención pone en la prenda lo mismo que un mapa uniforme. Eso no "
     "prueba que sea inútil: quizá ordena bien los parches *dentro* de la imagen.",
     "En el cuaderno 06 vimos que la última capa del modelo del curso pone en la prenda bastante más masa que un mapa "
     "uniforme, que su rollout se aparta mucho menos del azar y que otro ViT, el de la primera edición, hacía lo "
     "contrario. Mirar la prenda no prueba que un mapa explique la decisión, y no mirarla no prueba que sea inútil: "
     "quizá ordena bien los parches *dentro* de la imagen."),
    (3, "from utils.fmt import percent\n", "from utils.fmt import percent, thousands\n"),
    (3, 'print(f"Exactitud en {n_test} imágenes', 'print(f"Exactitud en {thousands(n_test)} imágenes'),
    (7, "assert all(abs(garment_share[name] - uniform_share) < 0.03 for name in (\"media\", \"máximo\", \"mínimo\"))\n"
     "assert garment_share[\"máx. y descarte 0,9\"] > uniform_share + 0.02",
     "assert all(abs(garment_share[name] - uniform_share) < 0.10 for name in (\"media\", \"máximo\", \"mínimo\"))\n"
     "assert garment_share[\"máx. y descarte 0,9\"] > uniform_share + 0.10"),
    (10, 'print(f"{len(wrong)} errores en {n_test} imágenes")',
     'print(f"{thousands(len(wrong))} errores en {thousands(n_test)} imágenes")'),
    (10, '    print(f"  {CLASSES[k // 10]:>20} → {CLASSES[k % 10]:<20} {int(count)}")',
     '    print(f"  {CLASSES[k // 10]:>20} → {CLASSES[k % 10]:<20} {int(count)}")\n'
     "torso, shoes = {0, 2, 3, 4, 6}, {5, 7, 9}  # camiseta/top, suéter, vestido, abrigo, camisa; el calzado\n"
     "assert all({int(k) // 10, int(k) % 10} <= torso or {int(k) // 10, int(k) % 10} <= shoes for k in top.indices)"),
    (11, "entre las prendas de la parte de arriba (camisa, camiseta/top, suéter, abrigo) y, en menor medida, entre el "
     "calzado; en nuestro modelo, las cinco confusiones más frecuentes son de esas parejas.",
     "entre las prendas que cubren el torso (camisa, camiseta/top, suéter, abrigo y vestido) y, en menor medida, entre "
     "el calzado; en nuestro modelo, las cinco confusiones más frecuentes son de uno de esos dos grupos (el `assert` "
     "de la celda anterior lo comprueba)."),
    (17, "assert corr.nanmean() < 0.5 and top_patch_differs > 0.5", "assert corr.nanmean() < 0.25 and top_patch_differs > 0.8"),
    (18, "su correlación media es de alrededor de 0,1 (el `assert` pide menos de 0,5), y el parche más relevante cambia "
     "de clase a clase en más de nueve de cada diez imágenes (el `assert` pide más de la mitad).",
     "su correlación media queda por debajo de 0,25, y el parche más relevante cambia de clase a clase en más de ocho "
     "de cada diez imágenes (los `assert` lo comprueban; las cifras, en la salida)."),
]  # fmt: skip

NB06B_8 = """Con la media, el máximo o el mínimo, el rollout pone en la prenda a lo sumo unos pocos puntos más que un mapa uniforme (a menos de 10, comprueba el primer `assert`). El máximo con descarte se aparta mucho más: más de 10 puntos por encima del uniforme. Cambiar de variante cambia el aspecto del mapa y también lo que mide; por eso conviene fijar la variante **antes** de mirar, y no elegir la que da el mapa más bonito o la que confirma lo que esperábamos."""

NB06B_SUMMARY = """## Resumen

- Las variantes del rollout de vit-explain (fusión por **máximo** o **mínimo**, **descarte** de los pesos bajos) cambian el aspecto del mapa y también lo que mide: en una misma escala, el máximo con descarte se concentra y pone en la prenda más de 10 puntos más que el azar; la media, el máximo y el mínimo se quedan a menos de 10.
- El **rollout ponderado por el gradiente** (Chefer, Gur y Wolf, 2021) da un mapa distinto para cada clase: en las parejas que el modelo confunde, los mapas de las dos clases apenas se parecen.
- La **curva de borrado** mide la fidelidad: todos los mapas de atención ganan al azar con holgura, pero ninguno gana con claridad a dos controles que no miran el modelo (borrar prenda al azar y borrar los parches más brillantes).
- Un método de explicación se juzga contra controles difíciles, no solo contra el azar, y sobre **un** modelo: con el ViT de la primera edición, la atención de la última capa ni siquiera ganaba al azar."""


SOL06B_EDITS = [
    (2, "from utils.explain import LESSON_SIZES, cls_rollout, deletion_area, find_checkpoint, gradient_rollout, "
     "occlude_patches\n",
     "from utils.explain import (\n    LESSON_SIZES,\n    cls_rollout,\n    deletion_area,\n    deletion_curve,\n"
     "    find_checkpoint,\n    gradient_rollout,\n    occlude_patches,\n)\n"),
    (6, 'assert insertion["gradiente (clase predicha)"] > insertion["azar"]',
     """deletion = {
    name: deletion_area(ks, deletion_curve(model, xs, ys, s, ks, background), cfg.num_patches)
    for name, s in scores.items()
}


def ranking(areas: dict, higher_is_better: bool) -> str:
    return " > ".join(sorted(areas, key=areas.get, reverse=higher_is_better))


print(f"\\nDe más a menos fiel, por inserción: {ranking(insertion, True)}")
print(f"De más a menos fiel, por borrado: {ranking(deletion, False)}")
mapped = min(insertion["rollout (media)"], insertion["gradiente (clase predicha)"])
assert mapped > insertion["azar"] + 0.05  # los dos suben más deprisa que el azar
assert max(deletion["rollout (media)"], deletion["gradiente (clase predicha)"]) < deletion["azar"]  # y caen antes
assert abs(insertion["rollout (media)"] - insertion["gradiente (clase predicha)"]) < 0.05  # y casi igual"""),
]  # fmt: skip

SOL06B_7 = """Los dos mapas suben más deprisa que el azar, con holgura (más de 0,05 de área, dice el primer `assert`): con los parches que ellos señalan, unos pocos bastan para reconocer la prenda. Entre el rollout y el gradiente, en cambio, la diferencia es pequeña (menos de 0,05, dice el último). Las dos últimas líneas de la salida responden a la pregunta del ejercicio: el orden de los métodos por inserción y por borrado (con los mismos $k$ que aquí). Lo que no cambia de una curva a otra es que los dos mapas ganan al azar (los dos primeros `assert`); el orden entre dos métodos tan cercanos puede cambiar de una curva a otra, y de un modelo a otro. Las dos curvas miran el mismo problema desde lados opuestos y sufren el mismo defecto: una imagen con la mayoría de sus parches en negro está lejos de las de entrenamiento."""


def _edit_cells(nb, edits, name: str) -> None:
    for i, old, new in edits:
        if old not in nb.cells[i].source:
            sys.exit(f"No encuentro en la celda {i} de {name}: {old[:80]!r}. ¿Ya se aplicó este programa?")
        nb.cells[i].source = nb.cells[i].source.replace(old, new)


def _set_cell(nb, i: int, starts: str, new: str, name: str) -> None:
    if not nb.cells[i].source.startswith(starts):
        sys.exit(f"La celda {i} de {name} ya no empieza por {starts[:60]!r}.")
    nb.cells[i].source = new


def notebooks_06(root: Path = ROOT) -> None:
    """Reescribe lo que el 06, el 06b y sus soluciones dicen de los mapas del modelo del curso."""
    path = root / "notebooks" / "06_visualizacion.ipynb"
    nb = nbformat.read(path, as_version=4)
    _set_cell(nb, 22, 'print(f"Parches con prenda', NB06_22, path.name)
    _set_cell(nb, 23, "**Una sorpresa que es una lección.**", NB06_23, path.name)
    _set_cell(nb, 34, "**Lo contrario del artículo.**", NB06_34, path.name)
    _edit_cells(nb, NB06_EDITS, path.name)
    nbformat.write(nb, path)

    readme_path = root / "README.md"
    text = readme_path.read_text(encoding="utf-8")
    row = "comparados con sus controles (un modelo sin entrenar y la atención uniforme)"
    if row not in text:
        sys.exit(f"No encuentro en el README: {row!r}. ¿Ya se aplicó este programa?")
    new_row = (
        "comparados con sus controles (un modelo sin entrenar, la atención uniforme y el ViT de la primera edición)"
    )
    readme_path.write_text(text.replace(row, new_row), encoding="utf-8")

    path = root / "notebooks" / "soluciones" / "06_visualizacion_soluciones.ipynb"
    nb = nbformat.read(path, as_version=4)
    _edit_cells(nb, SOL06_EDITS, path.name)
    nbformat.write(nb, path)

    path = root / "notebooks" / "soluciones" / "06b_fidelidad_soluciones.ipynb"
    nb = nbformat.read(path, as_version=4)
    _edit_cells(nb, SOL06B_EDITS, path.name)
    _set_cell(nb, 7, "El gradiente sube más deprisa que el azar", SOL06B_7, path.name)
    nbformat.write(nb, path)

    path = root / "notebooks" / "06b_fidelidad.ipynb"
    nb = nbformat.read(path, as_version=4)
    _set_cell(nb, 8, "Con la media, el máximo o el mínimo", NB06B_8, path.name)
    _set_cell(nb, 20, 'n_del = LESSON_SIZES["borrado"]', NB06B_20, path.name)
    _set_cell(nb, 21, "Los números, en una ejecución completa", NB06B_21, path.name)
    _set_cell(nb, 22, "## Resumen", NB06B_SUMMARY, path.name)
    _edit_cells(nb, NB06B_EDITS, path.name)
    nb.cells[22:22] = [nbformat.v4.new_code_cell(NB06B_22), nbformat.v4.new_markdown_cell(NB06B_23)]
    nbformat.write(nb, path)


THOUSANDS_05 = [  # (cuaderno, celda, texto, texto nuevo): los miles con espacio, como en el resto del curso
    ("05_entrenamiento.ipynb", 3, "split_fingerprint, validation_split\n",
     "split_fingerprint, validation_split\nfrom utils.fmt import thousands\n"),
    ("05_entrenamiento.ipynb", 3, 'print(f"Entrenamiento: {len(y_train)} · validación: {len(y_val)} · prueba: {len(y_test)} imágenes")',
     'print(\n    f"Entrenamiento: {thousands(len(y_train))} · validación: {thousands(len(y_val))} · prueba: '
     '{thousands(len(y_test))} imágenes"\n)'),
    ("soluciones/05_entrenamiento_soluciones.ipynb", 2, "from utils.data import CLASSES, load_fashion_mnist\n",
     "from utils.data import CLASSES, load_fashion_mnist\nfrom utils.fmt import thousands\n"),
    ("soluciones/05_entrenamiento_soluciones.ipynb", 2,
     'print(f"Entrenamiento: {len(y_train)} · validación: {len(y_val)} · prueba: {len(y_test)}")',
     'print(\n    f"Entrenamiento: {thousands(len(y_train))} · validación: {thousands(len(y_val))} · prueba: '
     '{thousands(len(y_test))} imágenes"\n)'),
]  # fmt: skip


def thousands_05(root: Path = ROOT) -> None:
    for name in dict.fromkeys(n for n, *_ in THOUSANDS_05):  # cada cuaderno se lee y se escribe una vez
        path = root / "notebooks" / name
        nb = nbformat.read(path, as_version=4)
        _edit_cells(nb, [(i, old, new) for n, i, old, new in THOUSANDS_05 if n == name], name)
        nbformat.write(nb, path)


def main() -> int:
    if sys.argv[1:2] == ["--solo-cuadernos"]:  # para probarlo en una copia: ... --solo-cuadernos RAÍZ
        notebooks_06(Path(sys.argv[2]))
        thousands_05(Path(sys.argv[2]))
        return 0
    model, meta = C.load_checkpoint(CHECKPOINT)
    if "val_accuracy" not in meta or model.config != CHECKPOINT_CONFIG or meta.get("fast_mode"):
        sys.exit(
            "El punto de control incluido no es todavía el de la segunda edición: termina antes "
            "python scripts/train_checkpoint.py"
        )
    weights_sha = C.state_dict_sha256(torch.load(CHECKPOINT, weights_only=True)["state_dict"])
    notebook_05(meta)
    notebook_07()
    tests(meta, weights_sha, count_parameters(model))
    readme(model, meta)
    notebooks_06()
    thousands_05()
    print(
        f"Al día con el punto de control nuevo: validación {percent(meta['val_accuracy'])}, "
        f"prueba {percent(meta['test_accuracy'])}, {comma(meta['train_minutes'] / 60, 1)} horas."
    )
    print(
        "Ahora: ruff check --fix tests notebooks && ruff format tests notebooks, volver a ejecutar los cuadernos "
        "(los assert del 06 y el 06b comprueban sus frases nuevas) y mirar sus figuras. Después: "
        "`git rm scripts/adopt_checkpoint.py tests/test_adopt_checkpoint.py`"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
