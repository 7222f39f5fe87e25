import pytest
import torch

from utils.cnn import SmallCNN
from utils.train import train_model
from utils.vit import count_parameters


def test_cnn_output_shape_on_real_images(real_batch):
    x, _ = real_batch
    model = SmallCNN().eval()
    assert model(x).shape == (16, 10)


def test_cnn_has_fewer_than_100k_parameters():
    n = count_parameters(SmallCNN())
    assert 50_000 < n < 100_000


def test_cnn_is_not_saved_as_vit_checkpoint():
    # train_model solo guarda puntos de control de modelos con .config (el ViT).
    assert not hasattr(SmallCNN(), "config")


@pytest.mark.parametrize(
    "shape, words",
    [((2, 28, 28), "unsqueeze(1)"), ((2, 3, 28, 28), "1 canales"), ((2, 1, 4, 4), "al menos 8×8")],
)
def test_cnn_bad_input_gets_spanish_error(shape, words):
    with pytest.raises(ValueError, match="CNN espera|Las imágenes miden") as info:
        SmallCNN()(torch.zeros(shape))
    assert words in str(info.value)


def test_cnn_bad_channels_gets_spanish_error():
    with pytest.raises(ValueError, match="entero positivo"):
        SmallCNN(channels=(32, 0))
    with pytest.raises(ValueError, match="no puede estar vacío"):
        SmallCNN(channels=())


def test_cnn_learns_with_train_model(fashion, tmp_path):
    from utils.data import subset, to_float

    images, labels = subset(fashion.train_images, fashion.train_labels, 512, seed=0)
    x = to_float(images)
    model = SmallCNN()
    history = train_model(
        model,
        x,
        labels,
        x,
        labels,
        epochs=3,
        batch_size=64,
        lr=3e-3,
        progress=False,
        device="cpu",
    )
    assert history.val_acc[-1] > 0.5  # aprende algo real en 3 épocas sobre 512 imágenes
    # checkpoint_path guarda un ViT: con la CNN es un error claro antes de entrenar, no un «no guardar» silencioso.
    with pytest.raises(ValueError, match="checkpoint_path solo sirve con un ViT"):
        train_model(model, x, labels, epochs=1, checkpoint_path=tmp_path / "cnn.pt", progress=False)
    assert not (tmp_path / "cnn.pt").exists()
