import gzip
import shutil

import pytest
import torch

from utils import data as D


def test_real_test_set_from_debian_has_1000_per_class():
    if not D.DEBIAN_DIR.is_dir():
        pytest.skip("falta el paquete de Debian dataset-fashion-mnist")
    ds = D.load_fashion_mnist(D.DEBIAN_DIR, download=False)
    assert ds.train_images.shape == (60000, 28, 28) and ds.train_images.dtype == torch.uint8
    assert ds.test_images.shape == (10000, 28, 28)
    assert torch.equal(torch.bincount(ds.test_labels), torch.full((10,), 1000))
    assert torch.equal(torch.bincount(ds.train_labels), torch.full((10,), 6000))
    assert ds.classes[0] == "camiseta/top" and ds.classes[9] == "botín" and len(ds.classes) == 10


def test_mean_and_std_constants_match_the_data(fashion):
    x = fashion.train_images.float() / 255
    assert abs(x.mean().item() - D.MEAN) < 5e-4
    assert abs(x.std().item() - D.STD) < 5e-4
    z = D.to_float(fashion.train_images[:5000])
    assert z.shape == (5000, 1, 28, 28)
    assert abs(z.mean().item()) < 0.05 and abs(z.std().item() - 1) < 0.05


def test_env_var_folder_is_used_first(tmp_path, monkeypatch):
    for f in D.DEBIAN_DIR.glob("*.gz"):
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setenv(D.ENV_DIR, str(tmp_path))
    ds = D.load_fashion_mnist(download=False)
    assert str(tmp_path) in ds.source and "FASHION_MNIST_DIR" in ds.source


def test_torchvision_layout_uncompressed_is_read(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for f in D.DEBIAN_DIR.glob("*.gz"):
        (raw / f.name[:-3]).write_bytes(gzip.open(f).read())
    ds = D.load_fashion_mnist(tmp_path, download=False)
    assert len(ds.test_labels) == 10000


def test_truncated_download_is_detected_not_used(tmp_path):
    for f in D.DEBIAN_DIR.glob("*.gz"):
        shutil.copy(f, tmp_path / f.name)
    target = tmp_path / "t10k-images-idx3-ubyte.gz"
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])  # descarga a medias
    with pytest.raises(D.DatasetError, match="dañado o incompleto"):
        D.load_fashion_mnist(tmp_path, download=False)


def test_corrupt_content_is_detected(tmp_path):
    for f in D.DEBIAN_DIR.glob("*.gz"):
        shutil.copy(f, tmp_path / f.name)
    raw = bytearray(gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz").read())
    raw[100] = (raw[100] + 1) % 10  # una etiqueta cambiada
    with gzip.open(tmp_path / "t10k-labels-idx1-ubyte.gz", "wb") as g:
        g.write(bytes(raw))
    with pytest.raises(D.DatasetError, match="SHA-256"):
        D.load_fashion_mnist(tmp_path, download=False)


def test_unavailable_offline_gives_three_fixes(tmp_path, monkeypatch):
    def no_network(folder):
        raise RuntimeError("sin conexión")

    monkeypatch.setattr(D, "_download", no_network)
    with pytest.raises(FileNotFoundError) as err:
        D.load_fashion_mnist(tmp_path / "vacía", download=True)
    msg = str(err.value)
    assert "No se encuentra Fashion-MNIST" in msg and "sin conexión" in msg
    assert "1." in msg and "2." in msg and "3." in msg and "apt-get install dataset-fashion-mnist" in msg


def test_default_search_order_reports_all_places(tmp_path, monkeypatch):
    monkeypatch.delenv(D.ENV_DIR, raising=False)
    monkeypatch.setenv("VIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(D, "DEBIAN_DIR", tmp_path / "no-debian")
    with pytest.raises(D.DatasetError) as err:
        D.load_fashion_mnist(download=False)
    assert "cache" in str(err.value) and "no-debian" in str(err.value)


def test_to_float_rejects_floats_and_subset_is_balanced(fashion):
    with pytest.raises(ValueError, match="uint8"):
        D.to_float(torch.rand(2, 28, 28))
    x, y = D.subset(fashion.train_images, fashion.train_labels, 200, seed=1)
    assert x.shape == (200, 28, 28)
    assert torch.equal(torch.bincount(y, minlength=10), torch.full((10,), 20))
    x2, _ = D.subset(fashion.train_images, fashion.train_labels, 200, seed=1)
    assert torch.equal(x, x2)
    with pytest.raises(ValueError, match="positivo"):
        D.subset(fashion.train_images, fashion.train_labels, 0)


# --- Partición de validación (issue 13) ---------------------------------------------------------

# Huella de los 5 000 índices de validación (semilla 0, 500 por clase). Si cambia, la partición ya no es la
# misma que la del curso en otras máquinas: no la cambies sin cambiar también la receta y los resultados.
VAL_FINGERPRINT = "d3f9fd3e399028fb9f83052d976481ece21f71ccee9c460467335d904bf78f31"


def test_validation_split_is_balanced_disjoint_and_fixed(fashion):
    train_idx, val_idx = D.validation_split(fashion.train_labels)
    assert len(train_idx) == 55_000 and len(val_idx) == 5_000
    assert torch.equal(torch.bincount(fashion.train_labels[val_idx]), torch.full((10,), 500))
    assert torch.equal(torch.bincount(fashion.train_labels[train_idx]), torch.full((10,), 5500))
    together = torch.cat([train_idx, val_idx])
    assert len(set(together.tolist())) == 60_000  # sin solapamiento y sin dejarse ninguna
    assert D.split_fingerprint(val_idx) == VAL_FINGERPRINT
    again_train, again_val = D.validation_split(fashion.train_labels)
    assert torch.equal(again_val, val_idx) and torch.equal(again_train, train_idx)


def test_validation_split_ignores_torch_random_state(fashion):
    torch.manual_seed(123)
    _, a = D.validation_split(fashion.train_labels)
    torch.manual_seed(456)
    torch.rand(1000)
    _, b = D.validation_split(fashion.train_labels)
    assert torch.equal(a, b)
    _, other = D.validation_split(fashion.train_labels, seed=1)
    assert not torch.equal(a, other)  # otra semilla, otra partición


def test_train_val_test_keeps_test_untouched(fashion):
    s = D.train_val_test(fashion)
    assert len(s.train_labels) == 55_000 and len(s.val_labels) == 5_000 and len(s.test_labels) == 10_000
    assert torch.equal(s.test_images, fashion.test_images)
    assert "validación=5000" in repr(s)


def test_validation_split_rejects_bad_input():
    labels = torch.arange(10).repeat(3)
    with pytest.raises(ValueError, match="per_class"):
        D.validation_split(labels, per_class=3)
    with pytest.raises(ValueError, match="per_class"):
        D.validation_split(labels, per_class=0)
    with pytest.raises(ValueError, match="1-D de enteros"):
        D.validation_split(labels.float())
