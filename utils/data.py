"""Carga de Fashion-MNIST real, en memoria, como tensores.

Fuentes, en este orden:

1. una carpeta explícita (argumento ``root``) o la variable de entorno ``FASHION_MNIST_DIR``;
2. la caché local del curso (``~/.cache/vit-desde-cero/fashion-mnist`` o ``VIT_CACHE_DIR``);
3. el paquete de Debian ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``);
4. la descarga de torchvision (a la caché local).

Cada archivo se comprueba con su SHA-256 (del contenido descomprimido), de modo que una
descarga a medias o corrupta se detecta y se informa en lugar de usarse.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

# Nombres de las diez clases, en el orden de las etiquetas 0-9.
CLASSES = [
    "camiseta/top",
    "pantalón",
    "suéter",
    "vestido",
    "abrigo",
    "sandalia",
    "camisa",
    "zapatilla deportiva",
    "bolso",
    "botín",
]

# Media y desviación estándar de los píxeles del conjunto de entrenamiento (en [0, 1]).
# Un test comprueba que coinciden con los datos reales.
MEAN = 0.2860
STD = 0.3530

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
ENV_DIR = "FASHION_MNIST_DIR"

# SHA-256 del contenido descomprimido de cada archivo IDX, y su tamaño en bytes.
FILES = {
    "train_images": (
        "train-images-idx3-ubyte",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        47040016,
    ),
    "train_labels": (
        "train-labels-idx1-ubyte",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        60008,
    ),
    "test_images": (
        "t10k-images-idx3-ubyte",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        7840016,
    ),
    "test_labels": (
        "t10k-labels-idx1-ubyte",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        10008,
    ),
}


class DatasetError(FileNotFoundError):
    """Fashion-MNIST no está disponible o sus archivos están dañados."""


@dataclass
class FashionMNIST:
    """Fashion-MNIST completo en memoria.

    Las imágenes son tensores ``uint8`` de forma (N, 28, 28); las etiquetas, ``int64`` de forma (N,).
    """

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    classes: list[str]
    source: str

    def __repr__(self) -> str:
        return (
            f"FashionMNIST(entrenamiento={len(self.train_labels)}, prueba={len(self.test_labels)}, "
            f"clases={len(self.classes)}, origen='{self.source}')"
        )


def cache_dir() -> Path:
    """Carpeta de caché del curso (``VIT_CACHE_DIR`` o ``~/.cache/vit-desde-cero``)."""
    base = os.environ.get("VIT_CACHE_DIR") or Path.home() / ".cache" / "vit-desde-cero"
    return Path(base) / "fashion-mnist"


def _find_file(folder: Path, name: str) -> Path | None:
    """Busca ``name`` o ``name.gz`` en ``folder`` y en ``folder/FashionMNIST/raw``."""
    for sub in (folder, folder / "FashionMNIST" / "raw"):
        for candidate in (sub / name, sub / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    return None


def _read_verified(path: Path, sha256: str, size: int) -> bytes:
    """Lee un archivo IDX (comprimido o no) y comprueba tamaño y SHA-256."""
    try:
        raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(
            f"El archivo '{path}' está dañado o incompleto ({exc}). "
            "Bórralo y vuelve a descargarlo, o usa el paquete de Debian 'dataset-fashion-mnist'."
        ) from exc
    if len(raw) != size or hashlib.sha256(raw).hexdigest() != sha256:
        raise DatasetError(
            f"El archivo '{path}' no es el Fashion-MNIST original: mide {len(raw)} bytes "
            f"(se esperaban {size}) o su SHA-256 no coincide. Puede ser una descarga a medias: "
            "bórralo y vuelve a descargarlo."
        )
    return raw


def _parse_idx(raw: bytes) -> np.ndarray:
    """Convierte los bytes de un archivo IDX en un arreglo de NumPy."""
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _load_folder(folder: Path) -> dict[str, torch.Tensor] | None:
    """Carga los cuatro archivos de ``folder``; ``None`` si falta alguno."""
    paths = {key: _find_file(folder, name) for key, (name, _, _) in FILES.items()}
    if any(p is None for p in paths.values()):
        return None
    out = {}
    for key, (_, sha, size) in FILES.items():
        array = _parse_idx(_read_verified(paths[key], sha, size))
        tensor = torch.from_numpy(array.copy())
        out[key] = tensor.long() if "labels" in key else tensor
    return out


def _download(folder: Path) -> None:
    """Descarga Fashion-MNIST con torchvision en ``folder``."""
    from torchvision.datasets import FashionMNIST as TVFashionMNIST

    TVFashionMNIST(str(folder), train=True, download=True)
    TVFashionMNIST(str(folder), train=False, download=True)


def load_fashion_mnist(root: str | os.PathLike | None = None, download: bool = True) -> FashionMNIST:
    """Carga Fashion-MNIST real: 60 000 imágenes de entrenamiento y 10 000 de prueba.

    Args:
        root: carpeta con los cuatro archivos IDX (``.gz`` o descomprimidos). Si se da,
            solo se usa esa carpeta (y se descarga ahí si ``download`` es verdadero).
        download: si no se encuentra en ningún sitio local, descargarlo con torchvision.

    Returns:
        Un :class:`FashionMNIST` con los tensores y los nombres de las clases en español.

    Raises:
        DatasetError: si no hay ninguna fuente disponible o un archivo está dañado.
    """
    from .validation import InputTypeError, as_bool, describe

    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise InputTypeError(f"root debe ser la ruta de una carpeta (una cadena o un Path) y llegó {describe(root)}.")
    download = as_bool("download", download)
    if root is not None:
        candidates = [("carpeta indicada", Path(root))]
    else:
        candidates = []
        if os.environ.get(ENV_DIR):
            folder = Path(os.environ[ENV_DIR])
            missing = [name for name, _, _ in FILES.values() if _find_file(folder, name) is None]
            if missing:  # la variable manda: si apunta mal, se dice, no se busca otra copia en silencio
                why = "no existe" if not folder.is_dir() else f"no tiene {', '.join(missing)} (ni .gz)"
                raise DatasetError(
                    f"La variable de entorno {ENV_DIR}='{folder}' apunta a una carpeta que {why}. Copia ahí los "
                    f"cuatro archivos IDX de Fashion-MNIST, o borra la variable (del os.environ['{ENV_DIR}']) para "
                    "usar la caché, el paquete de Debian o la descarga."
                )
            candidates.append((f"variable {ENV_DIR}", folder))
        candidates += [("caché local", cache_dir()), ("paquete de Debian", DEBIAN_DIR)]

    for label, folder in candidates:
        tensors = _load_folder(folder)
        if tensors is not None:
            return FashionMNIST(classes=list(CLASSES), source=f"{label}: {folder}", **tensors)

    target = Path(root) if root is not None else cache_dir()
    download_error = None
    if download:
        try:
            _download(target)
            tensors = _load_folder(target)
            if tensors is not None:
                return FashionMNIST(classes=list(CLASSES), source=f"descarga: {target}", **tensors)
        except DatasetError:
            raise
        except Exception as exc:  # sin red, servidor caído, etc.
            download_error = exc

    searched = ", ".join(f"'{folder}'" for _, folder in candidates)
    reason = f" La descarga falló: {download_error}." if download_error else ""
    raise DatasetError(
        f"No se encuentra Fashion-MNIST (se buscó en {searched}).{reason} Tres formas de arreglarlo:\n"
        f"  1. Con conexión, llama a load_fashion_mnist(download=True) para descargarlo con torchvision.\n"
        f"  2. En Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist (queda en '{DEBIAN_DIR}').\n"
        f"  3. Copia los cuatro archivos IDX (.gz) a una carpeta y pásala como root=... "
        f"o en la variable de entorno {ENV_DIR}."
    )


def to_float(images: torch.Tensor, normalize: bool = True) -> torch.Tensor:
    """Convierte imágenes ``uint8`` (N, 28, 28) en ``float32`` (N, 1, 28, 28).

    Con ``normalize=True`` resta la media y divide por la desviación estándar del conjunto de entrenamiento.
    """
    from .validation import check_tensor

    images = check_tensor("images", images)
    if images.dtype != torch.uint8:
        raise ValueError(
            f"Se esperaban imágenes uint8 (0-255) y llegaron de tipo {images.dtype}. "
            "Pasa las imágenes tal como las devuelve load_fashion_mnist()."
        )
    x = images.float().div_(255.0)
    if x.ndim == 3:
        x = x.unsqueeze(1)  # (N, 1, 28, 28)
    if normalize:
        x = (x - MEAN) / STD
    return x


def denormalize(x: torch.Tensor) -> torch.Tensor:
    """Deshace :func:`to_float`: devuelve píxeles en [0, 1]."""
    return (x * STD + MEAN).clamp(0, 1)


def subset(images: torch.Tensor, labels: torch.Tensor, n: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Devuelve exactamente ``n`` ejemplos al azar (con semilla fija), con las clases equilibradas.

    Si alguna clase no tiene ejemplos suficientes para un reparto exacto, se completan los ``n`` con las
    demás y se avisa (no quedan equilibradas del todo). Un ``n`` mayor que el número de ejemplos es un error.
    """
    from .validation import as_int, check_labels, check_tensor

    images = check_tensor("images", images)
    labels = check_labels("labels", labels, n=len(images))
    n = as_int("n", n, minimum=1, fix="Por ejemplo n=1000.")
    seed = as_int("seed", seed, minimum=0, fix="Por ejemplo seed=0.")
    if n > len(labels):
        raise ValueError(f"n={n} es mayor que el número de ejemplos ({len(labels)}): usa n={len(labels)} o menos.")
    g = torch.Generator().manual_seed(seed)
    per_class = []
    classes = labels.unique()
    for c in classes:
        idx = (labels == c).nonzero().squeeze(1)
        per_class.append(idx[torch.randperm(len(idx), generator=g)])
    # Intercala las clases (uno de cada clase, luego otro de cada una…) para que cualquier prefijo quede
    # equilibrado; cuando una clase se acaba, siguen las demás.
    rank = torch.cat([torch.arange(len(p)) for p in per_class])
    which = torch.cat([torch.full((len(p),), i) for i, p in enumerate(per_class)])
    order = torch.cat(per_class)[(rank * len(per_class) + which).argsort()]
    idx = order[:n]
    short = [int(c) for c, p in zip(classes, per_class) if len(p) < n // len(per_class)]
    if short:
        import warnings

        warnings.warn(
            f"subset: las clases {short} no tienen {n // len(per_class)} ejemplos cada una; se completan los n={n} "
            "con las demás clases, así que no quedan equilibradas del todo.",
            UserWarning,
            stacklevel=2,
        )
    idx = idx[torch.randperm(len(idx), generator=g)]
    return images[idx], labels[idx]


# --- Partición de validación -----------------------------------------------------------------
# Las 60 000 imágenes de entrenamiento se parten UNA vez en una parte de entrenamiento (55 000) y una de
# validación (5 000, 500 por clase). Las elecciones (receta, épocas) se hacen mirando la validación; el conjunto
# de prueba se mide una sola vez por modelo, al final.

VAL_PER_CLASS = 500
SPLIT_SEED = 0


def _hash_key(seed: int, index: int) -> bytes:
    """Clave de orden de la imagen ``index``: SHA-256 de «semilla:índice» (igual en cualquier máquina y versión)."""
    return hashlib.sha256(f"{seed}:{index}".encode()).digest()


def validation_split(
    labels: torch.Tensor, per_class: int = VAL_PER_CLASS, seed: int = SPLIT_SEED
) -> tuple[torch.Tensor, torch.Tensor]:
    """Índices (entrenamiento, validación) de una partición estratificada y fija de ``labels``.

    En cada clase, las imágenes se ordenan por el SHA-256 de «semilla:índice» y las ``per_class`` primeras van a
    validación. No depende del generador de números aleatorios de PyTorch ni de NumPy, así que la partición es la
    misma en cualquier máquina y con cualquier versión. Los dos tensores de índices salen ordenados.
    """
    labels = torch.as_tensor(labels)
    if labels.ndim != 1 or labels.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
        raise ValueError(
            f"labels debe ser un tensor 1-D de enteros y llegó con forma {tuple(labels.shape)} y tipo {labels.dtype}. "
            "Pasa las etiquetas tal como las devuelve load_fashion_mnist() (data.train_labels)."
        )
    if isinstance(per_class, bool) or not isinstance(per_class, int) or per_class <= 0:
        raise ValueError(f"per_class debe ser un entero positivo y vale {per_class!r}. Usa, por ejemplo, 500.")
    counts = torch.bincount(labels.long())
    present = counts[counts > 0]
    if len(present) == 0 or int(present.min()) <= per_class:
        raise ValueError(
            f"Con per_class={per_class} no queda nada para entrenar: la clase más pequeña tiene "
            f"{int(present.min()) if len(present) else 0} imágenes. Usa un per_class menor."
        )
    val = []
    for c in (counts > 0).nonzero().squeeze(1).tolist():
        idx = (labels == c).nonzero().squeeze(1).tolist()
        idx.sort(key=lambda i: _hash_key(seed, i))
        val += idx[:per_class]
    val_idx = torch.tensor(sorted(val), dtype=torch.long)
    mask = torch.ones(len(labels), dtype=torch.bool)
    mask[val_idx] = False
    return mask.nonzero().squeeze(1), val_idx


def split_fingerprint(indices: torch.Tensor) -> str:
    """SHA-256 (hexadecimal) de unos índices como enteros de 64 bits (el byte menos significativo primero): la huella de una partición."""
    return hashlib.sha256(np.asarray(torch.as_tensor(indices).long(), dtype="<i8").tobytes()).hexdigest()


@dataclass
class Split:
    """Las tres partes de Fashion-MNIST, como imágenes ``uint8`` (N, 28, 28) y etiquetas ``int64`` (N,)."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    val_images: torch.Tensor
    val_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor

    def __repr__(self) -> str:
        return (
            f"Split(entrenamiento={len(self.train_labels)}, validación={len(self.val_labels)}, "
            f"prueba={len(self.test_labels)})"
        )


def train_val_test(data: FashionMNIST, per_class: int = VAL_PER_CLASS, seed: int = SPLIT_SEED) -> Split:
    """Parte ``data`` en entrenamiento (55 000), validación (5 000, 500 por clase) y prueba (las 10 000 de siempre).

    La validación sale de las imágenes de entrenamiento con :func:`validation_split`; la prueba no se toca.
    """
    train_idx, val_idx = validation_split(data.train_labels, per_class, seed)
    return Split(
        data.train_images[train_idx],
        data.train_labels[train_idx],
        data.train_images[val_idx],
        data.train_labels[val_idx],
        data.test_images,
        data.test_labels,
    )
