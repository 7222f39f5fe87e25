"""Explorador interactivo de la atención del ViT (ipywidgets), para JupyterLab y Colab.

:func:`render` dibuja una figura (imagen, mapa de atención superpuesto y probabilidades de las
clases) y es una función pura que se puede probar sin interfaz. :func:`explore` la envuelve en
controles: clase, imagen, capa, cabeza, modo (atención de la capa o rollout) y opacidad; al mover
un control se redibuja la misma figura en el sitio.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .data import CLASSES
from .explain import check_head, check_image, check_layer, cls_attention, cls_rollout
from .fmt import thousands
from .plots import _verdict, overlay_attention
from .validation import InputTypeError, as_index

MODES = ("raw", "rollout")
_DRAW_LOCK = threading.RLock()  # una sola figura a la vez, aunque los controles lleguen en hilos distintos
MEAN_HEAD = "media"


def _check_alpha(alpha: float) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha={alpha!r} fuera de rango: la opacidad debe estar entre 0 (invisible) y 1 (opaca).")
    return float(alpha)


def render(
    model,
    image: torch.Tensor,
    label: int | None = None,
    layer: int = -1,
    head: int | str | None = None,
    mode: str = "raw",
    alpha: float = 0.6,
    classes: Sequence[str] = CLASSES,
) -> Figure:
    """Dibuja lo que mira el token CLS del ViT en una imagen.

    Args:
        model: un :class:`~utils.vit.ViT` (se usa en modo evaluación, sin gradientes).
        image: una imagen ``uint8`` (H, W) como las de ``load_fashion_mnist()``, o ``float`` (C, H, W)
            ya normalizada como las de ``to_float``.
        label: clase verdadera (0 a 9) o ``None`` si no se conoce.
        layer: capa, de 0 a depth-1 (-1 es la última). En modo ``"rollout"``, el rollout llega hasta ella.
        head: cabeza, de 0 a num_heads-1, o ``None`` / ``"media"`` para la media. El rollout siempre
            promedia las cabezas, así que en ese modo se ignora.
        mode: ``"raw"`` (la atención de esa capa) o ``"rollout"`` (Abnar y Zuidema, 2020).
        alpha: opacidad del mapa sobre la imagen, de 0 a 1.

    Returns:
        La ``Figure``: imagen, mapa superpuesto y las cinco clases más probables.
    """
    if not hasattr(model, "forward_with_attention"):
        raise InputTypeError(f"render necesita un ViT del curso y llegó {type(model).__name__}.")
    c = model.config
    layer = check_layer(layer, c.depth)
    head = check_head(None if head == MEAN_HEAD else head, c.num_heads)
    if mode not in MODES:
        raise ValueError(f"mode={mode!r} no existe: usa 'raw' (atención de la capa) o 'rollout'.")
    alpha = _check_alpha(alpha)
    if isinstance(label, str):
        names = list(classes)
        hint = f" '{label}' es la clase {names.index(label)}: usa label={names.index(label)}." if label in names else ""
        raise InputTypeError(
            f"label={label!r} debe ser el número de la clase (0 a {len(names) - 1}), no su nombre.{hint}"
        )
    label = None if label is None else as_index("label", label)  # acepta np.int64 y torch.tensor(3)
    if label is not None and not 0 <= label < len(classes):
        raise ValueError(f"label={label!r} fuera de rango: hay {len(classes)} clases (0 a {len(classes) - 1}).")
    x = check_image(image, c)  # (1, C, H, W)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits, maps = model.forward_with_attention(x.to(next(model.parameters()).device))
    model.train(was_training)
    maps = [m.cpu() for m in maps]
    probs = logits[0].softmax(-1).cpu()
    pred = int(probs.argmax())
    if mode == "raw":
        grid = cls_attention(maps, layer, head)[0]
        what = f"capa {layer}, " + ("media de las cabezas" if head is None else f"cabeza {head}")
    else:
        grid = cls_rollout(maps, layer)[0]
        what = f"rollout de las capas 0 a {layer}"
    shown = x[0].cpu()

    fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), gridspec_kw={"width_ratios": [1, 1, 1.5]})
    axes[0].imshow(shown[0] if shown.shape[0] == 1 else shown.permute(1, 2, 0), cmap="gray")
    axes[0].axis("off")
    axes[0].set_title("imagen", fontsize=9)
    overlay_attention(shown, grid, ax=axes[1], alpha=alpha, title=what)
    top = probs.topk(min(5, len(probs)))
    names = [classes[int(i)] for i in top.indices]
    colors = ["darkgreen" if label is not None and int(i) == int(label) else "tab:blue" for i in top.indices]
    axes[2].barh(range(len(names))[::-1], top.values.numpy() * 100, color=colors)
    axes[2].set_yticks(range(len(names))[::-1], names, fontsize=9)
    axes[2].set_xlim(0, 100)
    if label is not None:
        legend = [Patch(color="darkgreen", label="clase verdadera"), Patch(color="tab:blue", label="otra clase")]
        axes[2].legend(handles=legend, fontsize=9, loc="lower right")
    axes[2].set(xlabel="probabilidad (%)", title="clases más probables")
    axes[2].title.set_fontsize(9)
    text, color = _verdict(label, pred, classes)
    fig.suptitle(f"{text} ({100 * probs[pred]:.0f} %)", color=color, fontsize=10)
    fig.tight_layout()
    return fig


class Explorer:
    """Controles y figura del explorador; se muestra solo al ser la última expresión de una celda."""

    def __init__(
        self,
        model,
        images: torch.Tensor,
        labels: torch.Tensor,
        predictions: torch.Tensor | None = None,
        classes: Sequence[str] = CLASSES,
        alpha: float = 0.6,
    ):
        import ipywidgets as w

        if len(images) == 0 or len(images) != len(labels):
            raise ValueError(
                f"Hay {len(images)} imágenes y {len(labels)} etiquetas: deben ser las mismas y al menos una."
            )
        if predictions is not None and len(predictions) != len(labels):
            raise ValueError(f"Hay {len(predictions)} predicciones y {len(labels)} etiquetas: deben ser las mismas.")
        check_image(images[0], model.config)
        self.model, self.images, self.classes = model, images, classes
        self.labels = torch.as_tensor(labels)
        self.predictions = None if predictions is None else torch.as_tensor(predictions)
        self.renders = 0
        self._suspended = False
        c = model.config
        self.class_choice = w.Dropdown(
            options=[("todas", -1)] + [(name, i) for i, name in enumerate(classes)], value=-1, description="clase"
        )
        self.only_errors = w.Checkbox(
            value=False, description="solo errores", indent=False, disabled=self.predictions is None
        )
        self.index = w.IntSlider(value=0, min=0, max=len(images) - 1, description="imagen", continuous_update=False)
        self.layer = w.IntSlider(value=c.depth - 1, min=0, max=c.depth - 1, description="capa", continuous_update=False)
        self.head = w.Dropdown(
            options=[(MEAN_HEAD, MEAN_HEAD)] + [(f"cabeza {h}", h) for h in range(c.num_heads)],
            value=MEAN_HEAD,
            description="cabeza",
        )
        self.mode = w.ToggleButtons(
            options=[("atención de la capa", "raw"), ("rollout", "rollout")], value="raw", description="modo"
        )
        # La opacidad en tanto por ciento: un deslizador de decimales mostraría «0.60», con punto.
        self.alpha = w.IntSlider(
            value=round(100 * _check_alpha(alpha)),
            min=0,
            max=100,
            step=5,
            description="opacidad (%)",
            style={"description_width": "initial"},
            continuous_update=False,
        )
        self.info = w.HTML()
        self.output = w.Output()
        self._candidates = torch.arange(len(images))
        for control in (self.class_choice, self.only_errors):
            control.observe(self._refilter, names="value")
        for control in (self.index, self.layer, self.head, self.mode, self.alpha):
            control.observe(self.redraw, names="value")
        self.widget = w.VBox(
            [
                w.HBox([self.class_choice, self.only_errors]),
                self.index,
                w.HBox([self.layer, self.head]),
                w.HBox([self.mode, self.alpha]),
                self.info,
                self.output,
            ]
        )
        self._refilter()

    def _refilter(self, change=None) -> None:
        """Recalcula qué imágenes se pueden elegir según la clase y «solo errores»."""
        keep = torch.ones(len(self.labels), dtype=torch.bool)
        if self.class_choice.value >= 0:
            keep &= self.labels == self.class_choice.value
        if self.only_errors.value and self.predictions is not None:
            keep &= self.predictions != self.labels
        self._candidates = keep.nonzero().flatten()
        self._suspended = True  # mover el deslizador aquí no debe redibujar dos veces
        try:
            # Valor y máximo en un solo mensaje al navegador, el valor primero: si llegaran por separado,
            # el navegador recortaría el valor al nuevo máximo y devolvería ese valor (la última imagen).
            with self.index.hold_sync():
                self.index.value = 0
                self.index.max = max(len(self._candidates) - 1, 0)
                self.index.disabled = len(self._candidates) <= 1
        finally:
            self._suspended = False
        self.redraw()

    def current(self) -> int | None:
        """Posición, en ``images``, de la imagen elegida (``None`` si la selección está vacía)."""
        if len(self._candidates) == 0:
            return None
        return int(self._candidates[min(self.index.value, len(self._candidates) - 1)])

    def redraw(self, change=None) -> None:
        """Vuelve a dibujar la figura con los valores actuales de los controles."""
        if self._suspended:
            return
        # JupyterLab puede atender dos controles a la vez en hilos distintos (subshells del kernel de Jupyter) y pyplot
        # no es seguro entre hilos: se dibuja de uno en uno.
        with _DRAW_LOCK:
            self._draw()

    def _draw(self) -> None:
        from IPython.display import clear_output, display

        self.head.disabled = self.mode.value == "rollout"
        i = self.current()
        with self.output:
            clear_output(wait=True)
            if i is None:
                self.info.value = "<b>No hay imágenes con esa selección.</b> Cambia la clase o desmarca «solo errores»."
                return
            self.info.value = (
                f"Imagen n.º {i} de las {thousands(len(self.images))} cargadas "
                f"({self.index.value + 1} de {len(self._candidates)} en esta selección). "
                "Título <span style='color:darkgreen'>en verde: acierto</span>; "
                "<span style='color:crimson'>en rojo: error</span>."
            )
            fig = render(
                self.model,
                self.images[i],
                int(self.labels[i]),
                self.layer.value,
                self.head.value,
                self.mode.value,
                self.alpha.value / 100,
                self.classes,
            )
            display(fig)
            plt.close(fig)
        self.renders += 1

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


def explore(
    model,
    images: torch.Tensor,
    labels: torch.Tensor,
    predictions: torch.Tensor | None = None,
    classes: Sequence[str] = CLASSES,
    alpha: float = 0.6,
) -> Explorer:
    """Crea el explorador interactivo; ponlo como última línea de una celda para verlo.

    Args:
        model: el ViT.
        images: imágenes ``uint8`` (N, H, W) de ``load_fashion_mnist()`` o ``float`` (N, C, H, W) normalizadas.
        labels: clases verdaderas (N,).
        predictions: opcional, clases predichas (N,); activan la casilla «solo errores».
    """
    return Explorer(model, images, labels, predictions, classes, alpha)
