"""The cause knowledge base, read strictly from its data files (src/maildoctor/data/knowledge/).

One file per cause, `causes/<CODE>.toml`: the file name is the code, so the list of codes is a
directory listing (read when causes.py is imported, ~0.1 ms) and adding a cause is adding a file.
A cause file holds:

    layer = "auth"                       # where the cause lives (model.Layer)
    severity = "error"                   # the default: error or warning
    title = "..."                        # one line, an English message id
    params = ["role", "host"]            # the parameters the rules set; texts use only these
    explains = ["AUTH_FAILED"]           # (a root cause) the causes it explains when both are found
    explains_precedence = 6              # when several found causes explain one, the lowest wins
    extension = "..."                    # (a code causes.md has not accepted yet) why it is needed
    password_page = true                 # its findings get the provider's password page and name
                                         #   (rules/password.py; needs the params password_page, provider)
    check_sending_side = true            # (a dns or sending-domain cause) `check` reports it for the
                                         #   address's own domain too, not only `maildoctor domain`

    [[fix]]                              # numbered steps, each one action
    use = ["open_role_host"]             # texts shared with other entries (shared.toml), first
    text = ["exact {param} text", "plainer stand-in"]   # then its own, most exact first
    settings = [{ field = "port", value = "right_port", role = "outgoing" }]  # for --client

    [do_not]                             # what not to do while it lasts (optional)
    text = ["..."]

`problems/<kind>.toml` holds the sentences of the domain checks' problems (domain/texts.py), one
table per problem code with `use`/`text` as above; `shared.toml` the texts several entries share.

Every text is an English message id: babel.cfg extracts `title` and `text` (i18n_data.py), and
the ja catalog translates them where they are shown. Loading is strict: an unknown key, layer,
severity, shared text or explained cause, a placeholder that is no parameter of the cause, or
an empty text raises `KnowledgeError` naming the file, so a typo fails the tests, not a user.

The parsed base is kept between runs by datacache (a pickle stamped with the files' sizes and
times): the TOML files take ~20 ms to parse, the kept copy ~1 ms to read.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final, Literal, TypeVar

from maildoctor.datacache import cached_parse
from maildoctor.model import Layer, Severity

KNOWLEDGE_DIR: Final[Traversable] = files("maildoctor") / "data" / "knowledge"
CODE_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")

_CAUSE_KEYS: Final = frozenset(
    {
        *("layer", "severity", "title", "params", "explains", "explains_precedence", "fix", "do_not"),
        *("extension", "password_page", "check_sending_side"),
    }
)
_REQUIRED_CAUSE_KEYS: Final = frozenset({"layer", "severity", "title", "params", "fix"})
_STEP_KEYS: Final = frozenset({"use", "text", "settings"})
_SETTING_KEYS: Final = frozenset({"field", "value", "role"})
_SEVERITIES: Final = frozenset({Severity.ERROR, Severity.WARNING})
_ROLES: Final = frozenset({"incoming", "outgoing"})
_PASSWORD_PAGE_PARAMS: Final = frozenset({"password_page", "provider"})
_DOMAIN_LAYERS: Final = frozenset({Layer.DNS, Layer.SENDING_DOMAIN})


# _Pickled: the kept copy (datacache) rebuilds these through their constructors (`__reduce__`): a
# slotted dataclass otherwise unpickles through dataclasses' __setstate__, ~5x slower (0.5 ms
# instead of ~2.5 ms for the whole base).


class KnowledgeError(ValueError):
    """A knowledge-base file breaks its schema; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Setting:
    """A setting a step changes: `field` is a role-less name ("port") or a fixed one ("outgoing_auth").

    `value` names the finding parameter holding the new value; `role` fixes the server
    ("incoming"/"outgoing") when the step is always about one; `field` may be "{field}" to take
    the field from the finding's own `field` parameter (username, password, host).
    """

    field: str
    value: str | None = None
    role: str | None = None

    def __reduce__(self) -> tuple[type[Setting], tuple[str, str | None, str | None]]:
        return (Setting, (self.field, self.value, self.role))  # see _Pickled


@dataclass(frozen=True, slots=True)
class Step:
    """One text of the knowledge base; `otherwise` is shown instead when a placeholder has no value."""

    text: str  # an English message id with {param} placeholders
    otherwise: Step | None = None
    settings: tuple[Setting, ...] = ()  # the mail-program settings the step changes (for --client)

    def __reduce__(self) -> tuple[type[Step], tuple[str, Step | None, tuple[Setting, ...]]]:
        return (Step, (self.text, self.otherwise, self.settings))  # see _Pickled


@dataclass(frozen=True, slots=True)
class CauseEntry:
    """Everything the knowledge base knows about one cause."""

    code: str
    layer: Layer
    severity: Severity  # the default; a rule may report a milder or a stronger one
    title: str  # English message id; translate with Translator.gettext at display time
    params: tuple[str, ...]  # the parameters the rules set for this cause; texts use only these
    fix: tuple[Step, ...]  # numbered steps, each one action
    do_not: Step | None = None  # what not to do while the cause lasts
    explains: frozenset[str] = frozenset()  # the causes this one explains when both are found
    explains_precedence: int | None = None  # among roots explaining one finding, the lowest wins
    extension: str | None = None  # why maildoctor has this code before shared/spec/causes.md does
    password_page: bool = False  # its findings get the provider's password page (rules/password.py)
    check_sending_side: bool = False  # `check` reports it for the address's domain (diagnose.py)

    def __reduce__(self) -> tuple[type[CauseEntry], tuple[object, ...]]:
        fields = (self.code, self.layer, self.severity, self.title, self.params, self.fix, self.do_not)
        flags = (self.password_page, self.check_sending_side)
        return (CauseEntry, (*fields, self.explains, self.explains_precedence, self.extension, *flags))


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    causes: Mapping[str, CauseEntry]  # by code, in code order
    problems: Mapping[str, tuple[str, ...]]  # "<kind>:<code>" -> texts, most exact first


# --------------------------------------------------------------------------- codes, at import


def cause_codes(folder: Traversable = KNOWLEDGE_DIR) -> tuple[str, ...]:
    """The cause codes: the names of the files in `causes/`, sorted."""
    codes = sorted(item.name.removesuffix(".toml") for item in (folder / "causes").iterdir() if _toml(item))
    for code in codes:
        if not code or not set(code) <= CODE_CHARS:
            raise KnowledgeError(f"causes/{code}.toml: a cause file is named by its code (A-Z, 0-9, _)")
    return tuple(codes)


def _toml(item: Traversable) -> bool:
    return item.is_file() and item.name.endswith(".toml")


# --------------------------------------------------------------------------- reading


def _placeholders(text: str) -> frozenset[str]:
    return frozenset(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def _strings(where: str, value: object, key: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise KnowledgeError(f"{where}: {key} must be a list of non-empty strings")
    if not value and not allow_empty:
        raise KnowledgeError(f"{where}: {key} must not be empty")
    return tuple(value)


def _unknown(where: str, table: Mapping[str, object], allowed: frozenset[str]) -> None:
    if extra := sorted(set(table) - allowed):
        raise KnowledgeError(f"{where}: unknown key(s) {', '.join(extra)}")


def _setting(where: str, raw: object, params: frozenset[str] | None) -> Setting:
    if not isinstance(raw, dict) or not isinstance(raw.get("field"), str) or not raw["field"]:
        raise KnowledgeError(f"{where}: a setting is a table with a field")
    _unknown(where, raw, _SETTING_KEYS)
    value, role = raw.get("value"), raw.get("role")
    if value is not None and (not isinstance(value, str) or (params is not None and value not in params)):
        raise KnowledgeError(f"{where}: setting value {value!r} is not a parameter of the cause")
    if role is not None and role not in _ROLES:
        raise KnowledgeError(f"{where}: setting role {role!r} is not incoming or outgoing")
    return Setting(raw["field"], value, role)


def _step(
    where: str, raw: object, shared: Mapping[str, tuple[str, ...]], params: frozenset[str] | None
) -> Step:
    """A step from its table; `params` None: any placeholder (the domain problems' values)."""
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{where}: a step is a table")
    _unknown(where, raw, _STEP_KEYS)
    texts: list[str] = []
    for name in _strings(where, raw.get("use", []), "use", allow_empty=True):
        if name not in shared:
            raise KnowledgeError(f"{where}: no shared text {name!r} in shared.toml")
        texts += shared[name]
    texts += _strings(where, raw.get("text", []), "text", allow_empty=True)
    if not texts:
        raise KnowledgeError(f"{where}: a step needs a text or a shared text (use)")
    for text in texts:
        if params is not None and not _placeholders(text) <= params:
            unknown = ", ".join(sorted(_placeholders(text) - params))
            raise KnowledgeError(f"{where}: {{{unknown}}} is not in the cause's params: {text!r}")
    raw_settings = raw.get("settings", [])
    if not isinstance(raw_settings, list):
        raise KnowledgeError(f"{where}: settings must be a list of tables")
    return chain(texts, tuple(_setting(where, item, params) for item in raw_settings))


def chain(texts: Sequence[str], settings: tuple[Setting, ...] = ()) -> Step:
    """The texts as one step with its plainer stand-ins, most exact first; `settings` on the step."""
    step: Step | None = None
    for text in reversed(texts[1:]):
        step = Step(text, step)
    return Step(texts[0], step, settings)


def _cause(
    code: str, document: Mapping[str, object], shared: Mapping[str, tuple[str, ...]], codes: frozenset[str]
) -> CauseEntry:
    where = f"causes/{code}.toml"
    _unknown(where, document, _CAUSE_KEYS)
    if missing := sorted(_REQUIRED_CAUSE_KEYS - set(document)):
        raise KnowledgeError(f"{where}: missing key(s) {', '.join(missing)}")
    try:
        layer = Layer(str(document["layer"]))
        severity = Severity(str(document["severity"]))
    except ValueError as error:
        raise KnowledgeError(f"{where}: {error}") from None
    if severity not in _SEVERITIES:
        raise KnowledgeError(f"{where}: severity must be error or warning")
    title = document["title"]
    if not isinstance(title, str) or not title.strip() or "\n" in title:
        raise KnowledgeError(f"{where}: title must be a one-line, non-empty string")
    params = _strings(where, document["params"], "params", allow_empty=True)
    known = frozenset(params)
    fix = document["fix"]
    if not isinstance(fix, list) or not fix:
        raise KnowledgeError(f"{where}: fix must be a non-empty array of tables ([[fix]])")
    steps = tuple(_step(f"{where} fix {n}", raw, shared, known) for n, raw in enumerate(fix, 1))
    do_not = None if "do_not" not in document else _step(f"{where} do_not", document["do_not"], shared, known)
    explains = frozenset(_strings(where, document.get("explains", []), "explains", allow_empty=True))
    if unknown := sorted(explains - codes):
        raise KnowledgeError(f"{where}: explains unknown cause(s) {', '.join(unknown)}")
    precedence = document.get("explains_precedence")
    if (precedence is None) != (not explains) or not (precedence is None or type(precedence) is int):
        raise KnowledgeError(f"{where}: explains and an integer explains_precedence go together")
    extension = document.get("extension")
    if extension is not None and (not isinstance(extension, str) or len(extension.strip()) < 20):
        raise KnowledgeError(f"{where}: extension is the reason for a code causes.md lacks (a sentence)")
    password_page = _flag(where, document, "password_page")
    if password_page and not known >= _PASSWORD_PAGE_PARAMS:
        raise KnowledgeError(f"{where}: password_page needs the params password_page and provider")
    sending_side = _flag(where, document, "check_sending_side")
    if sending_side and layer not in _DOMAIN_LAYERS:
        raise KnowledgeError(f"{where}: check_sending_side is for a dns or sending-domain cause")
    texts = (title, params, steps, do_not)
    flags = (password_page, sending_side)
    return CauseEntry(code, layer, severity, *texts, explains, precedence, extension, *flags)


def _flag(where: str, document: Mapping[str, object], key: str) -> bool:
    value = document.get(key, False)
    if type(value) is not bool:
        raise KnowledgeError(f"{where}: {key} must be true or false")
    return value


Flag = Literal["password_page", "check_sending_side"]


@functools.cache
def causes_marked(flag: Flag) -> frozenset[str]:
    """The codes of the packaged causes whose key `flag` is true (read on first use)."""
    return frozenset(code for code, entry in knowledge_base().causes.items() if getattr(entry, flag))


def _read(item: Traversable) -> dict[str, object]:
    import tomllib  # here: only a stale kept copy parses, a start reads the pickle

    try:
        return tomllib.loads(item.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise KnowledgeError(f"{item.name}: {error}") from None


def _shared(document: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    shared: dict[str, tuple[str, ...]] = {}
    for name, table in document.items():
        if not isinstance(table, dict):
            raise KnowledgeError(f"shared.toml: {name} must be a table")
        _unknown(f"shared.toml [{name}]", table, frozenset({"text"}))
        shared[name] = _strings(f"shared.toml [{name}]", table.get("text"), "text")
    return shared


def _texts(step: Step) -> Iterator[str]:
    current: Step | None = step
    while current is not None:
        yield current.text
        current = current.otherwise


def parse(folder: Traversable = KNOWLEDGE_DIR) -> KnowledgeBase:
    """Every file of the knowledge base, checked (KnowledgeError on the first fault)."""
    shared = _shared(_read(folder / "shared.toml"))
    codes = cause_codes(folder)
    known = frozenset(codes)
    causes = {code: _cause(code, _read(folder / "causes" / f"{code}.toml"), shared, known) for code in codes}
    precedences = [entry.explains_precedence for entry in causes.values() if entry.explains_precedence]
    if len(precedences) != len(set(precedences)):
        raise KnowledgeError("causes: two root causes have the same explains_precedence")
    problems: dict[str, tuple[str, ...]] = {}
    for item in sorted((folder / "problems").iterdir(), key=lambda item: item.name):
        if not _toml(item):
            continue
        kind = item.name.removesuffix(".toml")
        for code, raw in _read(item).items():
            step = _step(f"problems/{item.name} [{code}]", raw, shared, None)
            if step.settings:
                raise KnowledgeError(f"problems/{item.name} [{code}]: a problem text changes no setting")
            problems[f"{kind}:{code}"] = tuple(_texts(step))
    return KnowledgeBase(causes, problems)  # plain dicts: a mappingproxy does not pickle


def _data_files(folder: Path) -> list[str]:
    """The files beside `causes/`: shared.toml and problems/*.toml."""
    return [str(folder / "shared.toml"), *map(str, sorted((folder / "problems").glob("*.toml")))]


@functools.cache
def knowledge_base() -> KnowledgeBase:
    """The packaged knowledge base, read once per process (from the kept copy when it is current)."""
    causes = KNOWLEDGE_DIR / "causes"
    # datacache stamps one folder's files; the other data files and this parser stamp as "code"
    others = _data_files(KNOWLEDGE_DIR) if isinstance(KNOWLEDGE_DIR, Path) else []
    return cached_parse("knowledge", causes, ".toml", [__file__, *others], parse)


# --------------------------------------------------------------------------- lazy views

K = TypeVar("K")
V = TypeVar("V")


class LazyMapping(Mapping[K, V]):
    """A read-only mapping filled on first use, so importing a module reads no data file."""

    __slots__ = ("_build",)

    def __init__(self, build: Callable[[], Mapping[K, V]]) -> None:
        self._build = functools.cache(build)

    def __getitem__(self, key: K) -> V:
        return self._build()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._build())

    def __len__(self) -> int:
        return len(self._build())

    def __repr__(self) -> str:
        return f"LazyMapping({dict(self._build())!r})"


__all__ = [
    "KNOWLEDGE_DIR",
    "CauseEntry",
    "Flag",
    "KnowledgeBase",
    "KnowledgeError",
    "LazyMapping",
    "Setting",
    "Step",
    "cause_codes",
    "causes_marked",
    "chain",
    "knowledge_base",
    "parse",
]
