"""Correctores automáticos de los ejercicios, un módulo por cuaderno.

- :mod:`~utils.exercises.core`: el veredicto, la comparación de números y la llamada segura a la
  función del estudiante, compartidos por todos;
- ``nb00_data``, ``nb01_patches``, ``nb02_attention``, ``nb03_block``, ``nb04_vit``,
  ``nb05_training``, ``nb06_visualization``, ``nb07_beyond``: los correctores de cada cuaderno.

Todo se puede importar también desde aquí: ``from utils.exercises import check_patch_count``.
"""

from .core import Verdict, report  # noqa: F401
from .nb00_data import *  # noqa: F403
from .nb01_patches import *  # noqa: F403
from .nb02_attention import *  # noqa: F403
from .nb03_block import *  # noqa: F403
from .nb04_vit import *  # noqa: F403
from .nb05_training import *  # noqa: F403
from .nb06_visualization import *  # noqa: F403
from .nb07_beyond import *  # noqa: F403
