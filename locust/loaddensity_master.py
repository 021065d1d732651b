"""Locust master locustfile for LoadDensity C workers.

A Locust master runs no task itself, but it needs User classes: it splits
the users (-u) over them by weight and names them to its workers in every
spawn message. This file declares one class per scenario of a LoadDensity
action file, named as `loaddensity worker` names them:

* each LD_start_test action of the file is a scenario;
* its class is user_detail_dict.class_name, else "LoadDensityUser" for the
  first LD_start_test of the file and "LoadDensityUser<k>" for the k-th;
* its weight is the action's user_count (default 50).

Where the classes come from, first match wins:

  LOADDENSITY_CLASSES="Name:weight,Other:weight"   explicit classes
  LOADDENSITY_FILE=path/to/actions.json           an action file (JSON; YAML
                                                  when PyYAML is installed)
  (nothing)                                       one class, LoadDensityUser

Usage (on the master machine; workers run `loaddensity worker`):

  LOADDENSITY_FILE=test.json locust -f loaddensity_master.py --master
"""

import json
import os
import re

from locust import User, constant, task

DEFAULT_CLASS = "LoadDensityUser"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _actions(doc):
    if isinstance(doc, dict):
        doc = doc.get("load_density", [])
    return doc if isinstance(doc, list) else []


def _kwargs(action):
    """The LD_start_test arguments of an action, or None for another one."""
    if not isinstance(action, list) or not action:
        return None
    name = action[0]
    if name not in ("LD_start_test", "start_test"):
        return None
    if len(action) > 1 and isinstance(action[1], dict):
        return action[1]
    args = action[1] if len(action) > 1 and isinstance(action[1], list) else []
    kw = {}
    if len(args) > 0:
        kw["user_detail_dict"] = args[0]
    if len(args) > 1:
        kw["user_count"] = args[1]
    return kw


def _load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith((".yaml", ".yml")):
        import yaml  # optional: only for YAML action files

        return yaml.safe_load(text)
    return json.loads(text)


def _from_file(path):
    classes = []
    for action in _actions(_load(path)):
        kw = _kwargs(action)
        if kw is None:
            continue
        udd = kw.get("user_detail_dict") or {}
        name = udd.get("class_name") if isinstance(udd, dict) else None
        if not name:
            k = len(classes) + 1
            name = DEFAULT_CLASS if k == 1 else "%s%d" % (DEFAULT_CLASS, k)
        count = kw.get("user_count", 50)
        weight = int(count) if isinstance(count, (int, float)) else 50
        classes.append((name, max(1, weight)))
    return classes


def _from_env(spec):
    classes = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        name, _, weight = part.partition(":")
        classes.append((name.strip(), max(1, int(weight or 1))))
    return classes


def scenario_classes():
    """[(class name, weight)] for this master."""
    spec = os.environ.get("LOADDENSITY_CLASSES")
    path = os.environ.get("LOADDENSITY_FILE")
    if spec:
        classes = _from_env(spec)
    elif path:
        classes = _from_file(path)
    else:
        classes = []
    classes = classes or [(DEFAULT_CLASS, 1)]
    for name, _ in classes:
        if not _IDENT.match(name):
            raise ValueError("not a Python identifier: %r" % (name,))
    return classes


def _idle(self):
    """The master never runs tasks; the C workers run the scenarios."""


for _name, _weight in scenario_classes():
    globals()[_name] = type(
        _name,
        (User,),
        {
            "weight": _weight,
            "wait_time": constant(1),
            "tasks": [task(_idle)],
            "__module__": __name__,
            "__doc__": "LoadDensity scenario %s (run by C workers)" % _name,
        },
    )
