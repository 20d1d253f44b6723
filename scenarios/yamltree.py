"""Read a YAML document into plain values while remembering where each value was written.

PyYAML's compose API gives every node a start mark (line, column). We build the Python value
ourselves from the node tree so that each value's JSON path maps to its mark, refuse what a
scenario must never contain (unquoted times and dates, duplicate keys, non-string keys), and let
the loader point every later error at the exact line and column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same marks, faster
Path = tuple  # a JSON path: keys (str) and list indexes (int)


@dataclass(frozen=True)
class Mark:
    """A place in the file, 1-based as editors show it."""

    line: int
    column: int

    @classmethod
    def of(cls, node: yaml.Node) -> Mark:
        return cls(node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, at a line and column."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


@dataclass
class Document:
    """The values of a YAML document plus the marks of every value and every mapping key."""

    value: object
    marks: dict[Path, Mark] = field(default_factory=dict)
    key_marks: dict[Path, Mark] = field(default_factory=dict)

    def mark(self, path: Path, *, key: bool = False) -> Mark:
        """Return the mark of `path` (its key when `key`), or of its nearest ancestor."""
        path = tuple(path)
        while path:
            found = (self.key_marks if key else self.marks).get(path)
            if found is None and key:
                found = self.marks.get(path)
            if found is not None:
                return found
            path = path[:-1]
        return self.marks.get((), Mark(1, 1))


class YamlProblems(Exception):
    """The YAML text itself is unusable; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def read_document(text: str, filename: str) -> Document:
    """Parse `text` into a Document or raise YamlProblems with every problem found."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
        raise YamlProblems([Problem(filename, where.line, where.column,
                                    f"not valid YAML: {exc.problem or exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise YamlProblems([Problem(filename, 1, 1, "the file is empty")])
    builder = _Builder(loader, filename)
    value = builder.build(node, ())
    if builder.problems:
        raise YamlProblems(builder.problems)
    return Document(value, builder.marks, builder.key_marks)


class _Builder:
    """Turn composed nodes into values, recording marks and problems on the way."""

    def __init__(self, loader, filename: str):
        self.loader = loader
        self.filename = filename
        self.marks: dict[Path, Mark] = {}
        self.key_marks: dict[Path, Mark] = {}
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node, message: str) -> None:
        mark = Mark.of(node)
        self.problems.append(Problem(self.filename, mark.line, mark.column, message))

    def build(self, node: yaml.Node, path: Path):
        """Build the value of `node` found at `path`."""
        self.marks[path] = Mark.of(node)
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag == TIMESTAMP_TAG:
            self.problem(node, f"unquoted time or date {node.value!r}: YAML reads it as a "
                               f"timestamp; write it as a string in quotes: \"{node.value}\"")
            return node.value
        return self.loader.construct_object(node, deep=True)

    def build_mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        """Build a mapping, refusing duplicate and non-string keys."""
        self.loader.flatten_mapping(node)  # resolve `<<` merge keys
        result: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == TIMESTAMP_TAG:
                self.problem(key_node, "a key must be a plain word, not a time, list or mapping")
                continue
            key = self.loader.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key_node.value)  # `1: x` or `yes: x`: keep the text as written
            if key in result:
                first = self.key_marks[(*path, key)]
                self.problem(key_node, f"duplicate key {key!r} (first written at line "
                                       f"{first.line}, column {first.column})")
                continue
            self.key_marks[(*path, key)] = Mark.of(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result
