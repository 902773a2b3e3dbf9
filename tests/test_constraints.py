"""One generated test over every declared constraints table (scikit-learn style).

Every frozen config dataclass declares ``_constraints = {field: constraint}``;
this test feeds each field a value its constraint refuses and checks the one
message shape, naming the field (``<section>.<field>``).
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re

import pytest

import neurochaos
from neurochaos.errors import ConfigError


def _tables():
    found = {}
    for mod in pkgutil.walk_packages(neurochaos.__path__, "neurochaos."):
        if mod.name.startswith("neurochaos.cli"):
            continue
        m = importlib.import_module(mod.name)
        for obj in vars(m).values():
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) and "_constraints" in vars(obj):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


TABLES = _tables()
#: values of fields without a default
REQUIRED = {"RunConfig": {"T": 1.0}}


def _make(cls, **kw):
    return cls(**{**REQUIRED.get(cls.__name__, {}), **kw})


CASES = [(name, f) for name, cls in sorted(TABLES.items()) for f in cls._constraints]


def test_the_tables_cover_the_config_classes():
    names = {n.rsplit(".", 1)[1] for n in TABLES}
    assert {"RunConfig", "ModelConfig", "TrainingConfig", "DataConfig", "GANConfig", "SpikingLearningConfig"} <= names
    for cls in TABLES.values():
        fields = {f.name for f in dataclasses.fields(cls) if f.init}
        assert set(cls._constraints) <= fields, cls
        _make(cls)  # the defaults meet the table


@pytest.mark.parametrize("cls_name, field", CASES)
def test_every_declared_constraint_refuses_a_bad_value_with_the_one_message_shape(cls_name, field):
    cls = TABLES[cls_name]
    bad = cls._constraints[field].invalid()
    section = getattr(cls, "_section", "")
    name = f"{section}.{field}" if section else field
    with pytest.raises(ConfigError, match=rf"^`{re.escape(name)}` must be .*, got "):
        _make(cls, **{field: bad})
