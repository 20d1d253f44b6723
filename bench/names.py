"""Made-up Chinese names for the benches' generated holders (deterministic for an rng)."""

from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_CHARACTERS = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚"


def random_name(rng: random.Random, lengths: tuple[int, ...] = ()) -> str:
    """A surname and a given name of two characters, or of a length drawn from `lengths`."""
    surname = rng.choice(SURNAMES)
    length = rng.choice(lengths) if lengths else 2
    return surname + "".join(rng.choice(GIVEN_CHARACTERS) for _ in range(length))
