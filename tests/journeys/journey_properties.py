"""The properties every journey's output must have, each a function from the runs to a list of problems.

A checker returns the problems it found, as sentences naming what was seen; an empty list
means the property holds. tests/journeys/README.md says what each property means and why.
The checkers are pure: they read the runs and the journey, never run anything themselves.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from journey_runner import Run

from maildoctor.causes import CauseCode

SRC: Final = Path(__file__).resolve().parents[2] / "src" / "maildoctor"

CAUSE_CODES: Final = frozenset(str(code) for code in CauseCode)

# Findings about a domain's health: nothing may be concluded about a domain from a resolver
# that lies or is dead, nor about the "domain" of something that is not an address (causes.md).
DOMAIN_VERDICTS: Final = frozenset(
    {
        "DOMAIN_NOT_RESOLVING",
        "DOMAIN_EXPIRING",
        "SPF_FAIL",
        "DMARC_FAIL",
        "DKIM_MISSING",
        "MX_MISCONFIGURED",
        "REVERSE_DNS_MISSING",
        "MTA_STS_BROKEN",
        "IP_BLOCKLISTED",
    }
)


@dataclass(frozen=True)
class Outcome:
    """What a journey produced: the terminal run and, when asked for, its --json twin."""

    text: Run
    json: Run | None
    inputs: str  # everything the person gave: arguments, standard input, the files' text


Problems = list[str]


# --------------------------------------------------------------------------- shared helpers

_BOX: Final = "│┃╭╮╰╯─━┏┓┗┛┡┩╇┳┻╋├┤┬┴┼┠┨└┘┌┐║═╔╗╚╝╞╡╪┯┷┿"
_BOX_TABLE: Final = str.maketrans(dict.fromkeys(_BOX, " "))


def content_lines(text: str) -> list[str]:
    """The output's lines without box and table borders and without the indentation."""
    return [" ".join(line.translate(_BOX_TABLE).split()) for line in text.splitlines()]


def json_document(run: Run | None) -> dict[str, Any] | None:
    if run is None or not run.out.strip():
        return None
    try:
        document = json.loads(run.out)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def findings_of(outcome: Outcome) -> list[dict[str, Any]]:
    document = json_document(outcome.json)
    found = document.get("findings", []) if document else []
    return [item for item in found if isinstance(item, dict)]


def strings_in(value: object) -> Iterator[str]:
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def _words(text: str) -> str:
    """Lower-case ASCII words joined by one space: how texts are compared with the input."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@functools.cache
def _data_files() -> tuple[str, ...]:
    paths = [*SRC.glob("data/*.toml"), *SRC.glob("data/*/*.toml"), *SRC.glob("locale/*/LC_MESSAGES/*.po")]
    return tuple(path.read_text(encoding="utf-8") for path in sorted(paths))


@functools.cache
def _knowledge() -> tuple[frozenset[str], frozenset[str]]:
    """The knowledge ids with a hyphen (internal names), and the Outlook symbols (shown on purpose)."""
    ids: set[str] = set()
    symbols: set[str] = set()
    for name, sections in (("client_messages.toml", None), ("replies.toml", ("rejection",))):
        data = tomllib.loads((SRC / "data" / name).read_text(encoding="utf-8"))
        for key, entries in data.items():
            if sections is not None and key not in sections:
                continue
            for entry in entries if isinstance(entries, list) else ():
                if "-" in str(entry.get("id", "")):
                    ids.add(str(entry["id"]).lower())
                if entry.get("symbol"):
                    symbols.add(str(entry["symbol"]))
    return frozenset(ids), frozenset(symbols)


# --------------------------------------------------------------------------- copyable tokens

URL_RE: Final = re.compile(
    r"(?:https?|mailto|(?:imap|pop3|smtp)(?:s|\+starttls)?)://[^\s\"'<>「」『』（）()、。，]+", re.IGNORECASE
)
EMAIL_RE: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
HOST_RE: Final = re.compile(r"(?<![A-Za-z0-9@._-])(?:[A-Za-z0-9_-]+\.)+[A-Za-z]{2,}(?![A-Za-z0-9_-])")
PATH_RE: Final = re.compile(r"(?<![\w.:/])/(?:[\w.-]+/)+[\w.-]*")  # an absolute file name (where the book is)
COMMAND_RE: Final = re.compile(
    r"maildoctor (?:check|settings|domain|explain|demo)"
    r"(?: (?:--?[a-z][a-z-]*|[A-Za-z0-9._@:/+\[\]=-]*[.@:/][A-Za-z0-9._@:/+\[\]=-]*|[A-Z][A-Z0-9-]+|\d+|-))*"
    # the ledger's commands have sub-commands and plain words (`ledger company add yamada-shoji`)
    r"|maildoctor ledger(?: (?:[a-z][a-z-]*|--?[a-z][a-z-]*"
    r"|[A-Za-z0-9._@:/+\[\]=-]*[.@:/][A-Za-z0-9._@:/+\[\]=-]*"
    r"|\[[A-Z]+\](?:\.\.\.)?|\{?[A-Z]+\}?|\d+|-))*"
)
RECORD_RE: Final = re.compile(r"v=(?:spf1|DMARC1|DKIM1|STSv1|TLSRPTv1)\b[^\u3000-\u9fff\uff00-\uffef\n]*")


def copyable_tokens(texts: Iterable[str]) -> set[str]:
    """URLs, addresses, host names, maildoctor commands and DNS records in these texts."""
    tokens: set[str] = set()
    for text in texts:
        for pattern in (URL_RE, EMAIL_RE, HOST_RE, COMMAND_RE, RECORD_RE):
            for found in pattern.findall(text):
                token = found.rstrip(".,;:)」 ").strip()
                if len(token) >= 6:
                    tokens.add(token)
    return tokens


def _split_across_lines(token: str, lines: Sequence[str]) -> bool:
    """The token is shown, but only with line breaks inside it (at a space or anywhere)."""
    if any(token in line for line in lines):
        return False
    parts = []
    for char in token:
        parts.append(r"\n?" if not parts else "")
        parts.append(r"(?: |\n)+" if char == " " else re.escape(char))
    joined = "\n".join(lines)
    return len(token) < 400 and re.search("".join(parts), joined) is not None


@functools.cache
def _vocabulary() -> frozenset[str]:
    return frozenset(_runs("\n".join(_data_files())))


_STRIP: Final = "()[]{}<>\"'`,;:!?.“”‘’"


def _runs(text: str) -> Iterator[str]:
    for run in re.findall(r"[!-~]+", text):
        stripped = run.strip(_STRIP).lower()
        if stripped:
            yield stripped


def cut_words(lines: Sequence[str], extra_vocabulary: Iterable[str]) -> Problems:
    """Line breaks inside a word or token: the two halves make a known word, the first half is none.

    Known words: every printable ASCII run in the catalogs and data files, the journey's input
    and the JSON twin's strings (so "Thunderbi|rd", "outlo|ok", "smtp.example.|jp:587").
    """
    vocabulary = _vocabulary() | frozenset(_runs("\n".join(extra_vocabulary)))
    problems = []
    for previous, following in itertools.pairwise(lines):
        tail = re.search(r"[!-~]+$", previous)
        head = re.match(r"[!-~]+", following)
        if tail is None or head is None:
            continue
        joined = (tail.group() + head.group()).strip(_STRIP).lower()
        first, second = tail.group().strip(_STRIP).lower(), head.group().strip(_STRIP).lower()
        if first and second and len(joined) > 3 and joined in vocabulary and first not in vocabulary:
            problems.append(f"a word is cut at a line end: {tail.group()!r} | {head.group()!r}")
    return problems


# --------------------------------------------------------------------------- the properties


def no_traceback(journey: Any, outcome: Outcome) -> Problems:
    problems = []
    for run in _runs_of(outcome):
        for stream, text in (("stdout", run.out), ("stderr", run.err)):
            if "Traceback (most recent call last)" in text:
                problems.append(f"a Python traceback on {stream} of `{run.describe()}`")
            elif found := re.search(r"(?m)^[A-Z][A-Za-z]*(?:Error|Exception)(?:\[\w+\])?: .*", text):
                problems.append(
                    f"a Python exception on {stream} of `{run.describe()}`: {found.group()[:120]}"
                )
            elif found := re.search(r"\.py:\d+: \w*Warning: .*", text):
                problems.append(f"a Python warning on {stream}: {found.group()[:120]}")
    return problems


def exit_status(journey: Any, outcome: Outcome) -> Problems:
    """The status is one interface.md allows for this journey, and the JSON twin agrees with it."""
    problems = []
    run = outcome.text
    if run.status is None:
        problems.append(f"no answer within {run.seconds:.0f} s: `{run.describe()}` was stopped")
    elif run.status not in journey.status:
        problems.append(
            f"exit status {run.status}, expected one of {sorted(journey.status)}: `{run.describe()}`"
        )
    twin = outcome.json
    if twin is not None and twin.status is not None and run.status is not None and twin.status != run.status:
        problems.append(f"the --json run exits {twin.status}, the terminal run {run.status}")
    return problems


_CONTROL: Final = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def no_control_bytes(journey: Any, outcome: Outcome) -> Problems:
    """No C0 (but newline), DEL, C1 or ESC reaches the terminal, and the output is UTF-8."""
    problems = []
    for run in _runs_of(outcome):
        for stream, data in (("stdout", run.stdout), ("stderr", run.stderr)):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                problems.append(f"{stream} is not UTF-8 (raw bytes at {error.start})")
                text = data.decode("utf-8", errors="replace")
            found = _CONTROL.search(text)
            if found:
                context = text[max(0, found.start() - 30) : found.end() + 10]
                problems.append(
                    f"a raw control character U+{ord(found.group()):04X} on {stream}: {context!r}"
                )
    return problems


def json_is_json(journey: Any, outcome: Outcome) -> Problems:
    """--json prints one JSON document and nothing else (or nothing at all with a usage error)."""
    run = outcome.json
    if run is None or run.status is None:
        return []
    if json_document(run) is None and not (run.status in (2, 3) and not run.out.strip()):
        return [f"`{run.describe()}` printed something that is not one JSON object: {run.out[:100]!r}"]
    return []


# Click's and Typer's own English, which must never reach a Japanese screen.
CLICK_ENGLISH: Final = (
    "No such command",
    "No such option",
    "Missing argument",
    "Missing option",
    "Invalid value",
    "Got unexpected extra argument",
    "Did you mean",
    "Show this message and exit",
    "Aborted!",
    "Try '",
    "Usage:",
    "Error:",
)

_FUNCTION_WORDS: Final = frozenset(
    {
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "to",
        "of",
        "for",
        "not",
        "no",
        "this",
        "that",
        "these",
        "your",
        "you",
        "with",
        "and",
        "or",
        "in",
        "on",
        "it",
        "its",
        "can",
        "could",
        "cannot",
        "please",
        "does",
        "did",
        "do",
        "has",
        "have",
        "had",
        "by",
        "from",
        "at",
        "as",
        "if",
        "such",
        "will",
        "would",
        "should",
        "may",
        "must",
        "there",
        "which",
        "what",
        "when",
        "than",
        "then",
        "into",
        "our",
        "we",
        "they",
        "their",
        "here",
    }
)


# Product names that hold an English function word: names, not sentences.
PRODUCT_NAMES: Final = (
    "Outlook for Windows",
    "Outlook for Mac",
    "Mail on Mac",
    "Gmail for Android",
    "Microsoft 365 Apps for enterprise",
    "Microsoft 365 Apps for business",
)
_IDENTIFIERS: Final = re.compile(
    r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+"  # cause codes, Outlook symbols (judged by internal_identifiers)
    r"|[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+"  # snake_case and kebab-case names (likewise)
    r"|\b(?:imap|pop3|smtp)(?:s|\+starttls)?\b"  # the server URL schemes, as typed
)


def _masked(text: str) -> str:
    """The text without copyable tokens, identifiers and option names, which are ASCII on purpose.

    A literal \\n or \\t (how a line break inside server words is shown) counts as a space, and an
    escaped control character (\\x1b[31m) is left out.
    """
    text = re.sub(r"\\[nrt]", " ", text)
    # an escaped control character as the product shows it (\x1b, \u202e), with the rest of the
    # terminal sequence it began (\x1b[31m): the notation of a hostile byte, not English words
    text = re.sub(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})(?:\[[0-9;?]*[A-Za-z])?", " ", text)
    for name in PRODUCT_NAMES:
        text = text.replace(name, " ")
    for pattern in (URL_RE, COMMAND_RE, RECORD_RE, EMAIL_RE, PATH_RE, HOST_RE):
        text = pattern.sub(" ", text)
    text = _IDENTIFIERS.sub(" ", text)
    return re.sub(r"--[a-z][a-z-]*", " ", text)


def english_sentences(text: str, inputs: str) -> list[str]:
    """ASCII stretches that read as English: three words with a function word, or five words.

    Not counted: copyable tokens, option names, and any stretch that is (part of) what the
    person gave (a pasted server reply is shown as it is, quoted).
    """
    corpus = _words(_masked(inputs))
    found = []
    for segment in re.findall(r"[\x20-\x7e]+", _masked(text)):
        words = re.findall(r"[A-Za-z]+(?:'[a-z]+)?", segment)
        lower = [word.lower() for word in words]
        english = (len(words) >= 3 and any(word in _FUNCTION_WORDS for word in lower)) or len(words) >= 5
        if english and _words(segment) not in corpus:
            found.append(segment.strip())
    return found


_JAPANESE: Final = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]+")


def _crashed(outcome: Outcome) -> bool:
    """A traceback was printed: no_traceback reports it, the text analyses would only repeat it."""
    return "Traceback (most recent call last)" in outcome.text.text


def language(journey: Any, outcome: Outcome) -> Problems:
    """Japanese output has no English sentence; English output has no Japanese (input aside)."""
    if _crashed(outcome):
        return []
    text = outcome.text.text
    if journey.lang == "en":
        given = re.sub(r"\s", "", outcome.inputs)
        found = [run for run in _JAPANESE.findall(text) if run not in given]
        return [f"Japanese in English output: {', '.join(found[:5])}"] if found else []
    problems = [
        f"English in Japanese output: {sentence!r}" for sentence in english_sentences(text, outcome.inputs)
    ]
    problems += [
        f"Click's English in Japanese output: {phrase!r}"
        for phrase in CLICK_ENGLISH
        if phrase in text and phrase not in outcome.inputs
    ]
    return problems


def internal_identifiers(journey: Any, outcome: Outcome) -> Problems:
    """Japanese output names no internal identifier; cause codes and Outlook symbols only in (…).

    Internal: snake_case names (`fullwidth_chars`), knowledge ids (`gmail-app-username-...`),
    problem ids (`spf:no-record`), Typer's type names (`<bool>`), source files (`interface.md`),
    upper-case identifiers that are not cause codes or Outlook symbols (`DOMAIN_NXDOMAIN`).
    """
    if journey.lang != "ja" or _crashed(outcome):
        return []
    ids, symbols = _knowledge()
    given = set(re.findall(r"[\w.:-]+", outcome.inputs))
    problems = []
    lines = content_lines(outcome.text.text)
    for line in lines:
        masked = URL_RE.sub(" ", EMAIL_RE.sub(" ", line))
        for name in re.findall(r"(?<![\w/.-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w])", masked):
            if name not in given:
                problems.append(f"an internal name {name!r} in: {line[:80]!r}")
        for name in re.findall(r"(?<![\w/.-])[a-z0-9]+(?:-[a-z0-9]+)+(?![\w-])", masked.lower()):
            if name in ids and name not in given:
                problems.append(f"a knowledge id {name!r} in: {line[:80]!r}")
        for name in re.findall(r"\b(?!mailto:)[a-z]+:[a-z]+[-_][a-z_-]+\b", masked):
            problems.append(f"a problem id {name!r} in: {line[:80]!r}")
        for name in re.findall(r"<(?:bool|str|int|float|path|text|integer|choice)>", masked, re.IGNORECASE):
            problems.append(f"a type name {name!r} in: {line[:80]!r}")
        for name in re.findall(r"\b[\w-]+\.(?:md|py|toml|po)\b", masked):
            problems.append(f"a source file {name!r} in: {line[:80]!r}")
        for found in re.finditer(r"(?<![\w-])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w-])", masked):
            name = found.group()
            if name in given or name.startswith("MAILDOCTOR_"):
                continue  # what was typed; an environment variable the person sets (copied as it is)
            if name not in CAUSE_CODES and name not in symbols:
                problems.append(f"an internal name {name!r} in: {line[:80]!r}")
                continue
            before, after = masked[: found.start()].rstrip(), masked[found.end() :].lstrip()
            in_brackets = before.endswith(("(", "（", "[")) and after.startswith((")", "）", "]"))
            if not in_brackets and masked.strip() != name:
                problems.append(f"{name} is shown inside a sentence, not as a (CODE) label: {line[:80]!r}")
    return problems


# Line-start prohibitions (行頭禁則, JIS X 4051): closing brackets and punctuation.
KINSOKU_START: Final = "、。，．）」』】〕〉》！？"


def japanese_line_breaks(journey: Any, outcome: Outcome) -> Problems:
    if journey.lang != "ja" or _crashed(outcome):
        return []
    return [
        f"a line starts with {line[0]!r}: {line[:60]!r}"
        for line in content_lines(outcome.text.text)
        if line and line[0] in KINSOKU_START
    ]


def copyables_whole(journey: Any, outcome: Outcome) -> Problems:
    """URLs, addresses, host names, commands and records are whole on one line; no word is cut."""
    if _crashed(outcome):
        return []
    document = json_document(outcome.json)
    sources = [outcome.inputs, *(strings_in(document) if document else ())]
    lines = content_lines(outcome.text.text)
    problems = [
        f"a copyable token is broken across lines: {token!r}"
        for token in sorted(copyable_tokens(sources))
        if _split_across_lines(token, lines)
    ]
    return problems + cut_words(lines, sources)


def first_cause(journey: Any, outcome: Outcome) -> Problems:
    """The most likely cause is of the journey's family; the causes it must never give are absent."""
    findings = findings_of(outcome)
    causes = [str(item.get("cause")) for item in findings]
    problems = []
    if journey.first and outcome.json is not None and outcome.json.status in (0, 1):
        if not causes:
            problems.append(f"no cause given; expected first one of {sorted(journey.first)}")
        elif causes[0] not in journey.first:
            problems.append(
                f"first cause {causes[0]}, expected one of {sorted(journey.first)} (all: {causes})"
            )
    wrong = [cause for cause in causes if cause in journey.never]
    if wrong:
        problems.append(f"causes that must not be given here: {wrong} (all: {causes})")
    return problems


def resolver_honesty(journey: Any, outcome: Outcome) -> Problems:
    """A lying or dead resolver is never "nothing wrong", and gives no verdict about a domain."""
    if journey.resolver is None:
        return []
    problems = []
    if outcome.text.status == 0:
        problems.append("exit status 0 (nothing wrong) while the resolver lies or is dead")
    for item in findings_of(outcome):
        cause = str(item.get("cause"))
        if cause in DOMAIN_VERDICTS or item.get("server") == "domain":
            problems.append(f"a verdict about a domain from a resolver that cannot be trusted: {cause}")
        if cause == "HOST_NOT_FOUND" and not item.get("consequence_of"):
            problems.append("HOST_NOT_FOUND as a cause of its own while the resolver cannot be trusted")
    document = json_document(outcome.json)
    for key in ("spf", "dmarc"):
        value = document.get(key) if document else None
        if isinstance(value, Mapping) and value.get("result") in ("fail", "none") and journey.resolver:
            problems.append(
                f"the domain report gives {key} result {value.get('result')!r} from a lying resolver"
            )
    return problems


def no_silent_program(journey: Any, outcome: Outcome) -> Problems:
    """Without --client, a message that names no mail program gets no one program's menus."""
    if journey.program is not None or "--client" in outcome.text.argv:
        return []
    document = json_document(outcome.json)
    if not document:
        return []
    problems = []
    if document.get("client"):
        problems.append(f"guidance silently picked the program {document['client']!r}")
    for item in findings_of(outcome):
        if any(paths for paths in item.get("where", []) or []):
            problems.append(f"{item.get('cause')}: menu paths of one program shown without --client")
            break
    return problems


def mentions(journey: Any, outcome: Outcome) -> Problems:
    """What the output must say (a missing file's name) and must not say (the 'unknown message' line)."""
    text = outcome.text.text
    problems = [f"the output does not mention {word!r}" for word in journey.mentions if word not in text]
    problems += [f"the output says {word!r}" for word in journey.not_mentions if word in text]
    return problems


def help_has_example(journey: Any, outcome: Outcome) -> Problems:
    """A help screen shows at least one complete example command."""
    if not journey.help:
        return []
    if re.search(
        r"maildoctor (?:check|settings|domain|explain|demo|ledger|checkup) [a-z0-9\"'-]", outcome.text.out
    ):
        return []
    return ["the help shows no example command"]


def no_repeats(journey: Any, outcome: Outcome) -> Problems:
    """Nothing said twice or empty (item 5): no doubled label (「入力した設定 · 入力した設定」), no
    cause given twice for the same server (DKIM_MISSING once), no table without a row."""
    problems = [
        f"a label is doubled: {found.group()!r}"
        for found in re.finditer(r"(?<![^\s│])([^\s·│]+) · \1(?![^\s│])", outcome.text.text)
    ]
    seen: set[tuple[str, str]] = set()
    for item in findings_of(outcome):
        key = (str(item.get("cause")), str(item.get("server")))
        if key in seen:
            problems.append(f"{key[0]} is given twice for the {key[1]} server")
        seen.add(key)
    if re.search(r"┡[━╇]+┩\n└", outcome.text.text):
        problems.append("an empty table (a header and no row)")
    return problems


def _runs_of(outcome: Outcome) -> list[Run]:
    return [run for run in (outcome.text, outcome.json) if run is not None]


PROPERTIES: Final[tuple[Callable[[Any, Outcome], Problems], ...]] = (
    no_traceback,
    exit_status,
    no_control_bytes,
    json_is_json,
    language,
    internal_identifiers,
    japanese_line_breaks,
    copyables_whole,
    first_cause,
    resolver_honesty,
    no_silent_program,
    mentions,
    help_has_example,
    no_repeats,
)
