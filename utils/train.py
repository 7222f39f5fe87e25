"""Entrenamiento en la CPU (o la GPU) con los datos en memoria como tensores.

Todo lo que hace falta para entrenar: semilla, elección de dispositivo, lotes con aumento de
datos hecho sobre tensores (sin procesos auxiliares), AdamW con calentamiento y coseno por paso,
el bucle de entrenamiento con barras de progreso en español y ``evaluate``.

El modo rápido (``VIT_FAST=1``) lo usa la integración continua: los cuadernos eligen tamaños más
pequeños con :func:`pick`, pero recorren exactamente el mismo código.
"""

from __future__ import annotations

import math
import os
import platform
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from .fmt import comma, percent

FAST_ENV = "VIT_FAST"


def is_fast_mode() -> bool:
    """``True`` si la variable de entorno ``VIT_FAST`` vale 1 (modo rápido para la integración continua)."""
    return os.environ.get(FAST_ENV, "0").strip().lower() in {"1", "true", "sí", "si", "yes"}


def pick(full, fast):
    """Devuelve ``fast`` en modo rápido y ``full`` en el normal: ``epochs = pick(10, 1)``."""
    return fast if is_fast_mode() else full


def seed_everything(seed: int = 0) -> None:
    """Fija las semillas de Python, NumPy y PyTorch para que los resultados se repitan."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def cpu_name() -> str:
    """El modelo del procesador («AMD EPYC …», de /proc/cpuinfo en Linux), o la arquitectura si no se sabe."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def get_device(preferred: str = "auto", allow_mps: bool = True) -> torch.device:
    """Elige el dispositivo: ``"auto"`` (GPU si hay), ``"cuda"``, ``"mps"`` o ``"cpu"``.

    Si se pide un dispositivo que no existe, avisa en español y usa la CPU. Si ``"auto"`` elige MPS (la
    GPU de los Mac), avisa de que en algunas versiones de PyTorch da pérdidas erróneas; con
    ``allow_mps=False`` se queda en la CPU.
    """
    if isinstance(preferred, torch.device):
        preferred = str(preferred)
    if not isinstance(preferred, str):
        raise ValueError(f"Dispositivo desconocido {preferred!r}. Usa 'auto', 'cpu', 'cuda' o 'mps'.")
    if not isinstance(allow_mps, bool):
        raise ValueError(f"allow_mps debe ser True o False y vale {allow_mps!r}.")
    preferred = preferred.strip().lower()
    if preferred == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if allow_mps and mps is not None and mps.is_available():
            print(
                "Aviso: se usará MPS (la GPU del Mac). En algunas versiones de PyTorch MPS da pérdidas erróneas; "
                "si ves algo raro, usa get_device('auto', allow_mps=False) o device='cpu'."
            )
            return torch.device("mps")
        return torch.device("cpu")
    if preferred.startswith("cuda") and not torch.cuda.is_available():
        print(f"Aviso: se pidió el dispositivo '{preferred}' pero no hay GPU CUDA disponible; se usará la CPU.")
        return torch.device("cpu")
    if preferred == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        print("Aviso: se pidió el dispositivo 'mps' pero no está disponible; se usará la CPU.")
        return torch.device("cpu")
    if preferred not in {"cpu", "mps"} and not preferred.startswith("cuda"):
        raise ValueError(f"Dispositivo desconocido '{preferred}'. Usa 'auto', 'cpu', 'cuda' o 'mps'.")
    return torch.device(preferred)


def augment(x: torch.Tensor, generator: torch.Generator | None = None, pad: int = 2, flip: bool = True) -> torch.Tensor:
    """Aumento de datos ligero sobre un lote (B, C, H, W): recorte aleatorio con relleno y volteo horizontal.

    Cada imagen se desplaza hasta ``pad`` píxeles en cada eje (rellenando con el valor del fondo) y,
    con probabilidad 1/2, se voltea de izquierda a derecha.
    """
    B, C, H, W = x.shape
    dev = x.device
    background = x.amin().item()
    padded = F.pad(x, (pad, pad, pad, pad), value=background)  # (B, C, H+2p, W+2p)
    dy = torch.randint(0, 2 * pad + 1, (B,), generator=generator).to(dev)
    dx = torch.randint(0, 2 * pad + 1, (B,), generator=generator).to(dev)
    rows = (torch.arange(H, device=dev)[None, :] + dy[:, None])[:, None, :, None]  # (B, 1, H, 1)
    cols = (torch.arange(W, device=dev)[None, :] + dx[:, None])[:, None, None, :]  # (B, 1, 1, W)
    b = torch.arange(B, device=dev)[:, None, None, None]
    c = torch.arange(C, device=dev)[None, :, None, None]
    out = padded[b, c, rows, cols]  # (B, C, H, W)
    if flip:
        mask = (torch.rand(B, generator=generator) < 0.5).to(dev)[:, None, None, None]
        out = torch.where(mask, out.flip(-1), out)
    return out


def iterate_batches(
    images: torch.Tensor,
    labels: torch.Tensor,
    batch_size: int,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
    drop_last: bool = False,
):
    """Recorre ``(images, labels)`` en lotes, barajando con ``generator`` si ``shuffle``."""
    n = len(labels)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    stop = n - n % batch_size if drop_last else n
    for i in range(0, stop, batch_size):
        idx = order[i : i + batch_size]
        yield images[idx], labels[idx]


def warmup_cosine(step: int, total_steps: int, warmup_steps: int, min_factor: float = 0.01) -> float:
    """Factor de la tasa de aprendizaje: subida lineal durante ``warmup_steps`` y después coseno hasta ``min_factor``."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return min_factor + (1 - min_factor) * 0.5 * (1 + math.cos(math.pi * progress))


def make_optimizer(model: nn.Module, lr: float = 1e-3, weight_decay: float = 0.05) -> torch.optim.AdamW:
    """AdamW sin decaimiento de pesos en sesgos, normalizaciones, token CLS ni embeddings de posición."""
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 or name.endswith(("pos_embed", "cls_token")) else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)


@torch.no_grad()
def predict(model: nn.Module, images: torch.Tensor, batch_size: int = 1000, device=None) -> torch.Tensor:
    """Logits (N, clases) de ``model`` sobre ``images`` (N, C, H, W), en modo evaluación y sin gradientes."""
    from .validation import as_int, check_images, check_model, model_dtype

    check_model(model)
    images = check_images("images", images, dtype=model_dtype(model))
    batch_size = as_int("batch_size", batch_size, minimum=1, fix="Por ejemplo batch_size=1000.")
    if len(images) == 0:
        raise ValueError("images está vacío (0 imágenes): no hay nada que predecir.")
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    out = [model(xb.to(device)).cpu() for xb, _ in iterate_batches(images, torch.zeros(len(images)), batch_size)]
    model.train(was_training)
    return torch.cat(out)


def evaluate(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, batch_size: int = 1000
) -> tuple[float, float]:
    """Pérdida media (entropía cruzada) y exactitud de ``model`` sobre ``(images, labels)``."""
    from .validation import check_dataset, check_model

    check_model(model)
    labels = check_dataset(model, images, labels, "images", "labels")
    logits = predict(model, images, batch_size)
    loss = F.cross_entropy(logits, labels).item()
    acc = (logits.argmax(1) == labels).float().mean().item()
    return loss, acc


@dataclass
class History:
    """Historial del entrenamiento: una entrada por época (y, en ``step_loss`` y ``lr``, una por paso).

    ``val_loss`` y ``val_acc`` se miden en el conjunto de **validación** al final de cada época; el de prueba no
    entra aquí: se evalúa una sola vez, al final, con :func:`evaluate`.
    """

    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_acc: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)  # tasa de aprendizaje en cada paso
    step_loss: list[float] = field(default_factory=list)  # pérdida de entrenamiento de cada paso
    interrupted: bool = False

    def as_dict(self) -> dict:
        return {k: list(v) if isinstance(v, list) else v for k, v in self.__dict__.items()}


class NonFiniteLossError(FloatingPointError):
    """La pérdida (o los pesos) dejaron de ser números finitos: NaN o infinito."""


def random_erasing(
    x: torch.Tensor, generator: torch.Generator | None = None, p: float = 0.25, scale: tuple = (0.02, 0.2)
) -> torch.Tensor:
    """Borrado aleatorio (Zhong et al., 2020) sobre un lote (B, C, H, W): con probabilidad ``p``, cada imagen pierde
    un rectángulo de entre ``scale[0]`` y ``scale[1]`` de su área, que se rellena con el valor del fondo.
    """
    B, C, H, W = x.shape
    dev = x.device
    area = torch.empty(B).uniform_(scale[0], scale[1], generator=generator) * H * W
    ratio = torch.exp(torch.empty(B).uniform_(math.log(0.3), math.log(3.3), generator=generator))
    h = (area * ratio).sqrt().round().clamp(1, H).long()
    w = (area / ratio).sqrt().round().clamp(1, W).long()
    top = (torch.rand(B, generator=generator) * (H - h + 1)).long()
    left = (torch.rand(B, generator=generator) * (W - w + 1)).long()
    on = torch.rand(B, generator=generator) < p
    rows = torch.arange(H)[None, :]
    cols = torch.arange(W)[None, :]
    in_rows = (rows >= top[:, None]) & (rows < (top + h)[:, None])  # (B, H)
    in_cols = (cols >= left[:, None]) & (cols < (left + w)[:, None])  # (B, W)
    mask = (in_rows[:, :, None] & in_cols[:, None, :] & on[:, None, None])[:, None].to(dev)  # (B, 1, H, W)
    return torch.where(mask, x.amin(), x)


class _EpochProgress:
    """La barra de progreso de una época que, al terminar, deja en la salida un resumen de texto.

    En Jupyter la barra es un *widget*: en vivo se mueve, pero guardada en el cuaderno se ve en GitHub como
    «0%| | 0/468», porque su texto alternativo se escribe al crearla. Por eso se muestra con un ``display_id`` y,
    al acabar la época, se sustituye por una línea de texto. En una terminal, la barra de texto queda terminada y
    el resumen se imprime debajo.
    """

    def __init__(self, total: int, desc: str, enabled: bool):
        self.bar, self.handle = None, None
        if not enabled:
            return
        try:
            from tqdm.notebook import tqdm as notebook_tqdm

            in_notebook = issubclass(tqdm, notebook_tqdm)
        except ImportError:
            in_notebook = False
        if in_notebook:
            from IPython.display import display

            self.bar = tqdm(total=total, desc=desc, unit="lote", leave=True, display=False)
            self.handle = display(self.bar.container, display_id=True)
        else:
            self.bar = tqdm(total=total, desc=desc, unit="lote", leave=True)

    def step(self, loss: float, acc: float) -> None:
        if self.bar is not None:
            self.bar.set_postfix(pérdida=comma(loss, 3), exactitud=percent(acc, 1), refresh=False)
            self.bar.update(1)

    def finish(self, summary: str) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.handle is not None:
            from IPython.display import Pretty

            self.handle.update(Pretty(summary))
        else:
            print(summary, flush=True)


def _all_finite(model: nn.Module) -> bool:
    return all(torch.isfinite(p).all() for p in model.parameters())


def _recipe_signature(**recipe) -> dict:
    """Lo que debe coincidir para reanudar un entrenamiento desde su estado guardado."""
    return {k: (float(v) if isinstance(v, float) else v) for k, v in recipe.items()}


def _save_state(path: Path, state: dict) -> None:
    """Guarda el estado del entrenamiento de forma atómica (archivo temporal y ``os.replace``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


def _first_line(exc: BaseException) -> str:
    """La primera línea del mensaje de una excepción, con su tipo (los errores de compilación ocupan páginas)."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:200]}" if text else type(exc).__name__


def train_model(
    model: nn.Module,
    train_images: torch.Tensor,
    train_labels: torch.Tensor,
    val_images: torch.Tensor | None = None,
    val_labels: torch.Tensor | None = None,
    *,
    epochs: int = 5,
    batch_size: int = 128,
    lr: float = 1e-3,
    weight_decay: float = 0.05,
    warmup_epochs: float = 1.0,
    label_smoothing: float = 0.1,
    use_augment: bool = True,
    erase_prob: float = 0.0,
    seed: int = 0,
    device: str | torch.device = "auto",
    checkpoint_path: str | os.PathLike | None = None,
    checkpoint_metadata: dict | None = None,
    state_path: str | os.PathLike | None = None,
    time_budget_s: float | None = None,
    progress: bool = True,
    compile: bool = False,
) -> History:
    """Entrena ``model`` con AdamW, calentamiento y coseno por paso, y suavizado de etiquetas.

    Es el bucle que el cuaderno 05 escribe a mano, paso a paso y con las mismas semillas (un test comprueba que
    dan las mismas pérdidas bit a bit). Los datos ya están en memoria como tensores ``float`` (N, C, H, W). Cada
    lote tiene el mismo tamaño (se descarta el último incompleto). Al final de cada época se evalúa en el conjunto
    de **validación** (si se da; nunca le pases el de prueba: ese se mide una vez, al final, con :func:`evaluate`)
    y, si hay ``checkpoint_path`` y el modelo es un ViT, se guarda un punto de control de forma atómica.

    Con ``use_augment`` cada lote se desplaza y voltea (:func:`augment`) y, con ``erase_prob`` > 0, además se le
    borra un rectángulo a esa fracción de imágenes (:func:`random_erasing`).

    Con ``state_path`` se guarda al final de cada época todo lo necesario para **reanudar** (pesos, optimizador,
    planificador, generadores y época); si el archivo ya existe al empezar, el entrenamiento sigue desde ahí y
    acaba igual que si no se hubiera interrumpido.

    Si se interrumpe (Ctrl-C), devuelve el historial hasta ese momento con ``interrupted=True`` y dice dónde quedó
    el último punto de control bueno, que no se toca. Si la pérdida se vuelve NaN o infinita, para con
    :class:`NonFiniteLossError`, que dice en qué paso y qué probar, sin guardar esos pesos.

    Con ``time_budget_s`` el entrenamiento para al acabar la época en que se agota el tiempo.

    Con ``compile=True`` los pasos pasan por ``torch.compile`` (en una CPU de 2 núcleos, unas 1,5 veces más
    rápido con el ViT de la receta rápida y mucho menos con uno más ancho; el primer paso tarda lo que cuesta
    compilar). Si la compilación falla en esta máquina (no hay compilador de C, versión de Python sin soporte…),
    avisa y sigue sin compilar: el resultado es el mismo modelo. Los valores pueden diferir de los del camino sin
    compilar en los últimos bits.
    """
    from .checkpoints import save_checkpoint
    from .validation import check_train_args

    train_labels, val_labels = check_train_args(  # todo se comprueba aquí, antes de la primera época
        model, train_images, train_labels, val_images, val_labels, epochs=epochs, batch_size=batch_size, lr=lr,
        weight_decay=weight_decay, warmup_epochs=warmup_epochs, label_smoothing=label_smoothing,
        use_augment=use_augment, erase_prob=erase_prob, seed=seed, device=device, checkpoint_path=checkpoint_path,
        checkpoint_metadata=checkpoint_metadata, time_budget_s=time_budget_s, progress=progress, compile=compile,
    )  # fmt: skip
    device = get_device(device) if isinstance(device, str) else device
    seed_everything(seed)
    generator = torch.Generator().manual_seed(seed)
    model.to(device)
    optimizer = make_optimizer(model, lr, weight_decay)
    steps_per_epoch = len(train_labels) // batch_size
    total = epochs * steps_per_epoch
    warmup = max(1, int(warmup_epochs * steps_per_epoch))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: warmup_cosine(s, total, warmup))
    history = History()
    signature = _recipe_signature(
        epochs=epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay, warmup_epochs=warmup_epochs,
        label_smoothing=label_smoothing, use_augment=use_augment, erase_prob=erase_prob, seed=seed,
        n_train=len(train_labels),
    )  # fmt: skip
    first_epoch = 1
    state_path = Path(state_path) if state_path is not None else None
    if state_path is not None and state_path.exists():
        first_epoch = _resume(state_path, signature, model, optimizer, scheduler, generator, history) + 1
    last_saved: tuple[int, Path] | None = None
    forward = torch.compile(model) if compile else model  # comparte los parámetros con ``model``

    def forward_backward(fn, xb, yb):
        """Una pasada (``fn`` es el modelo, compilado o no), la pérdida y sus gradientes."""
        logits = fn(xb)  # (B, num_classes)
        loss = F.cross_entropy(logits, yb, label_smoothing=label_smoothing)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        return logits, loss

    start = time.perf_counter()

    try:
        for epoch in range(first_epoch, epochs + 1):
            model.train()
            t0 = time.perf_counter()
            loss_sum, correct, seen = 0.0, 0, 0
            bar = _EpochProgress(steps_per_epoch, f"Época {epoch}/{epochs}", progress)
            batches = iterate_batches(train_images, train_labels, batch_size, True, generator, drop_last=True)
            for i, (xb, yb) in enumerate(batches):
                xb, yb = xb.to(device), yb.to(device)
                if use_augment:
                    xb = augment(xb, generator)
                    if erase_prob > 0:
                        xb = random_erasing(xb, generator, p=erase_prob)
                try:
                    logits, loss = forward_backward(forward, xb, yb)
                except Exception as exc:  # solo la compilación puede fallar aquí; sin ella, el error es el de siempre
                    if forward is model:
                        raise
                    forward = model
                    print(
                        f"Aviso: torch.compile no funciona en esta máquina ({_first_line(exc)}); se sigue sin compilar."
                    )
                    logits, loss = forward_backward(model, xb, yb)
                optimizer.step()
                step_loss = loss.item()
                if not math.isfinite(step_loss):
                    bar.finish(f"Época {epoch}/{epochs}: parada en el lote {i + 1}, pérdida {step_loss}")
                    raise NonFiniteLossError(
                        _non_finite_message(step_loss, len(history.step_loss) + 1, epoch, lr, last_saved)
                    )
                history.step_loss.append(step_loss)
                history.lr.append(scheduler.get_last_lr()[0])
                scheduler.step()
                loss_sum += step_loss * len(yb)
                correct += (logits.argmax(1) == yb).sum().item()
                seen += len(yb)
                bar.step(loss_sum / seen, correct / seen)
            history.epoch.append(epoch)
            history.train_loss.append(loss_sum / seen)
            history.train_acc.append(correct / seen)
            history.seconds.append(time.perf_counter() - t0)
            summary = f"Época {epoch}/{epochs}: pérdida {comma(loss_sum / seen, 3)}, exactitud de entrenamiento {percent(correct / seen)}"
            if val_images is not None:
                val_loss, val_acc = evaluate(model, val_images, val_labels)
                history.val_loss.append(val_loss)
                history.val_acc.append(val_acc)
                summary += f", de validación {percent(val_acc)}"
            bar.finish(f"{summary} ({history.seconds[-1]:.0f} s)")
            if not _all_finite(model):
                raise NonFiniteLossError(
                    _non_finite_message(float("nan"), len(history.step_loss), epoch, lr, last_saved)
                )
            if checkpoint_path is not None and hasattr(model, "config"):
                meta = {"epoch": epoch, "history": history.as_dict(), **(checkpoint_metadata or {})}
                last_saved = (epoch, save_checkpoint(checkpoint_path, model, meta))
            if state_path is not None:
                _save_state(state_path, {
                    "recipe": signature, "epoch": epoch, "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                    "generator": generator.get_state(), "torch_rng": torch.get_rng_state(),
                    "history": history.as_dict(),
                })  # fmt: skip
            if time_budget_s is not None and time.perf_counter() - start >= time_budget_s and epoch < epochs:
                print(f"Se agotó el tiempo ({time_budget_s:.0f} s) tras la época {epoch}.")
                break
    except KeyboardInterrupt:
        history.interrupted = True
        if last_saved is not None:
            print(
                f"Entrenamiento interrumpido. El último punto de control bueno (época {last_saved[0]}) "
                f"está intacto en '{last_saved[1]}'."
            )
        elif state_path is not None and state_path.exists():
            print(
                f"Entrenamiento interrumpido. Para seguir donde se quedó, vuelve a llamar con state_path='{state_path}'."
            )
        elif checkpoint_path is None:
            print(
                f"Entrenamiento interrumpido en la época {len(history.epoch) + 1}: no se guardó ningún punto de "
                "control porque no se pidió (checkpoint_path=None); el modelo conserva los pesos de ese momento."
            )
        else:
            print(
                "Entrenamiento interrumpido antes de terminar la primera época: no se guardó ningún punto de control."
            )
    return history


def _non_finite_message(value: float, step: int, epoch: int, lr: float, last_saved) -> str:
    what = "NaN" if math.isnan(value) else "infinita"
    kept = (
        f" El último punto de control bueno (época {last_saved[0]}) sigue intacto en '{last_saved[1]}'."
        if last_saved is not None
        else " Este entrenamiento no había guardado todavía ningún punto de control."
    )
    return (
        f"La pérdida se volvió {what} en el paso {step} (época {epoch}) y el entrenamiento se detuvo sin guardar "
        f"esos pesos.{kept} Qué probar: una tasa de aprendizaje más baja (ahora lr={lr:g}; prueba lr={lr / 10:g}) "
        "y revisar los datos: que no tengan NaN ni infinitos (torch.isfinite(x).all()) y que estén normalizados "
        "con utils.data.to_float."
    )


def _resume(path: Path, signature: dict, model, optimizer, scheduler, generator, history: History) -> int:
    """Carga el estado guardado en ``path`` y devuelve la última época terminada."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    if state.get("recipe") != signature:
        raise ValueError(
            f"El estado guardado en '{path}' es de otro entrenamiento (receta {state.get('recipe')}, y la de ahora es "
            f"{signature}). Bórralo para empezar de cero o usa la misma receta para reanudarlo."
        )
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    generator.set_state(state["generator"])
    torch.set_rng_state(state["torch_rng"])
    for k, v in state["history"].items():
        setattr(history, k, list(v) if isinstance(v, list) else v)
    history.interrupted = False
    print(f"Se reanuda el entrenamiento guardado en '{path}' tras la época {state['epoch']}.", flush=True)
    return int(state["epoch"])
