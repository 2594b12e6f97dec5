"""How a config field is declared: its default, its help text and its checks, all in the field's metadata.

Every field of every config section is declared with one of these functions, so the loader checks each value
as it is set (naming the key, what is allowed and the file), and `seqtk train <task> --help-config` and the
docs' options page show each field's help, default and allowed values from one place.

A section that extends another (a task's `data` section extends `DataConfig`) may redeclare a field with
`default(value)` to change its default only: the help and checks stay the base's (`field_metadata`).

Example:
>>> @dataclasses.dataclass
... class Section:
...     size: int = at_least(32, 1, help="Examples per batch.")
...     kind: str = choice("lstm", "gru", help="The recurrent cell.")
>>> field_metadata(Section, "size")["help"]
'Examples per batch.'
"""

import dataclasses

from seqtk.errors import ConfigError
from seqtk.tokenizers.tokenizer import is_plain_name

_NO_DEFAULT = dataclasses.MISSING


def option(default=_NO_DEFAULT, *, help, default_factory=_NO_DEFAULT, **checks):
    """A field with `help` and optional checks: `choices`, `aliases`, `minimum`, `above`, `below`,
    `maximum`, `kind` (`"sizes"`, `"column"`), `folder_name`."""
    if not help or not help.strip():
        raise ValueError("every config field needs its help text")
    metadata = {"help": help, **checks}
    if default_factory is not _NO_DEFAULT:
        return dataclasses.field(default_factory=default_factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def choice(default, *allowed, help, aliases=None):
    """A field that takes one of `default` and `allowed`. `aliases` maps values that earlier versions
    wrote (`true`, `false`) to the choice they now mean."""
    return option(default, help=help, choices=(default,) + allowed, aliases=aliases or {})


def at_least(default, minimum, help):
    """A number field that must be `>= minimum`."""
    return option(default, help=help, minimum=minimum)


def between(default, low, high, help):
    """A number field in the half-open range `[low, high)`."""
    return option(default, help=help, minimum=low, below=high)


def positive(default, help, maximum=None):
    """A number field that must be `> 0` (and `<= maximum` when given)."""
    return option(default, help=help, above=0, **({"maximum": maximum} if maximum is not None else {}))


def folder_name(default, help):
    """A field that names one folder inside the run's output folders: no separator, not `..`."""
    return option(default, help=help, folder_name=True)


def sizes(default, help):
    """A field of one size (`256`) or one per layer (`[512, 256]`), each at least 1."""
    return option(default, help=help, kind="sizes")


def column(default, help):
    """A field naming a column of a data file: a header or field name, or a 0-based index."""
    return option(default, help=help, kind="column")


def default(value):
    """Redeclares an inherited field with another default; its help and checks stay the base section's."""
    if isinstance(value, list):
        return dataclasses.field(default_factory=lambda: list(value), metadata={"inherited": True})
    return dataclasses.field(default=value, metadata={"inherited": True})


def field_metadata(section, name):
    """The metadata of field `name` of the dataclass `section` (a class or an instance): its own, or for a
    field redeclared with `default`, the nearest base section's."""
    section = section if isinstance(section, type) else type(section)
    for klass in section.__mro__:
        fields = getattr(klass, "__dataclass_fields__", {})
        if name in fields and not fields[name].metadata.get("inherited"):
            # A base's field with the same name but no metadata of its own gives nothing: keep looking.
            if fields[name].metadata:
                return fields[name].metadata
    return {}


def alias(metadata, value):
    aliases = metadata.get("aliases")
    if not aliases or not isinstance(value, (bool, str)):
        return value
    return aliases.get(str(value).lower(), value)


def check_value(metadata, value, path, source):
    """Raises a `ConfigError` naming `source`, the key `path`, what is allowed and the fix when `value`
    breaks the field's checks."""
    choices = metadata.get("choices")
    if choices is not None and value not in choices:
        raise ConfigError(f"{source}: {path} must be one of {', '.join(map(str, choices))}; received {value!r}.")
    kind = metadata.get("kind")
    if kind == "sizes":
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values):
            raise ConfigError(f"{source}: {path} takes one size (256) or one per layer ([512, 256]), each a "
                              f"whole number of at least 1; received {value!r}.")
    if kind == "column" and (isinstance(value, bool) or not isinstance(value, (int, str))):
        raise ConfigError(f"{source}: {path} takes a column's name or its 0-based index; received {value!r}.")
    for key, test, words in (("minimum", lambda v, b: v < b, "at least"), ("above", lambda v, b: v <= b, "above"),
                             ("below", lambda v, b: v >= b, "below"), ("maximum", lambda v, b: v > b, "at most")):
        bound = metadata.get(key)
        if bound is not None and test(value, bound):
            raise ConfigError(f"{source}: {path} must be {words} {bound}; received {value!r}.")
    if metadata.get("folder_name") and not is_plain_name(value):
        raise ConfigError(f"{source}: {path} must be a plain folder name (it is the folder written under "
                          f"output_dir, checkpoint_dir and log_dir); received {value!r}, which could write "
                          "outside them. Use a name such as my_model, and output_dir for where it goes.")


def describe_allowed(metadata):
    """What a field takes, in words (`one of lstm, gru`, `at least 1`), or "" for any value of its type."""
    if metadata.get("choices"):
        return "one of " + ", ".join(map(str, metadata["choices"]))
    if metadata.get("kind") == "sizes":
        return "a size, or a list of one per layer"
    if metadata.get("kind") == "column":
        return "a column name or 0-based index"
    parts = [f"{words} {metadata[key]}" for key, words in (("minimum", "≥"), ("above", ">"), ("below", "<"),
                                                            ("maximum", "≤")) if key in metadata]
    if metadata.get("folder_name"):
        parts.append("a plain folder name")
    return ", ".join(parts)
