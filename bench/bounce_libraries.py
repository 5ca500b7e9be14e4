"""The Python bounce libraries on the shared bounce corpus (../shared/data/bounces).

The corpus: ``emails/*.eml`` (292 real bounces, 311 recipients, from Sisimai's test set) with
``expected.json`` (per file: engine, kind, and per recipient status, replycode, Sisimai reason,
...; no addresses), and ``not-bounces/*.eml`` (2 messages that are not bounces).

Per library and message: is it taken for a bounce (at least one recipient returned); recipients
(the count equal to the expected count; an address counts as found when it is well formed, one
"@" with a non-empty local part and domain, in a message whose count is right); the enhanced
status and the SMTP reply code, exact, where the library gives them; the library's own
category, read through a simple mapping to Sisimai's reasons (see ``*_agrees`` below); the two
non-bounces taken for bounces or not; exceptions per message; time per message (parsing the
bytes included). Statuses, codes and categories of several recipients of one message are matched
greedily, without regard to order (expected.json has no addresses to align them by).

The libraries:

* flufl.bounce (Mailman's): ``all_failures(msg)`` -> (temporary, permanent) address sets; no
  status, no code. Its category, temporary/permanent, is compared with the class of the expected
  status (of the reply code where there is no status): 4 -> temporary, 5 -> permanent.
* bounced: ``get_bounces(msg)`` -> Bounce(recipient, status, action, msg). Its ``status`` is
  the Diagnostic-Code's reply code when that parses, else the Status field without dots
  ("511"); it is counted as a status when it equals the expected status without its dots and as
  a reply code when it equals the expected reply code. Its category is the DSN Action:
  failed -> 5, delayed -> 4, delivered/relayed/expanded -> 2, against the expected class.
* bounce-email (a port of Ruby's bounce_email): ``BounceEmail(str)`` -> is_bounced, code,
  bounce_type; written for Python 2 (``dict.iteritems``).
* BounceClassifier (``bounceclassifier`` on PyPI, 2019): regular expressions over the text, one
  recipient (the first Final-Recipient) and a category; ``BOUNCECLASSIFIER_REASONS`` maps its
  categories to Sisimai reasons.
* bounce-mail-identifier (2024): an IMAP fetcher; its only parsing is
  ``extract_failed_recipients`` (the X-Failed-Recipients header).
* maildoctor: ``maildoctor.explain.bounce.parse_bounce(bytes)``, when it exists, read through
  ``maildoctor_parser()`` as a list of dicts (address, status, reply_code, reason, cause); its
  reason is compared with Sisimai's as is.

Run it with the libraries at hand, e.g.

    python3 -m uv run --with flufl.bounce --with bounced --with bounce-email \\
        --with bounceclassifier --with bounce-mail-identifier python bench/bounce_libraries.py [-v]

or with any Python that has the libraries (maildoctor's source is put on the path). A library
that is not installed, or does not import, is reported in one line and skipped.
"""

from __future__ import annotations

import argparse
import email
import email.utils
import importlib
import importlib.metadata
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = REPO.parent / "shared" / "data" / "bounces"

sys.path.insert(0, str(REPO / "src"))


@dataclass(frozen=True)
class Found:
    """One recipient as a library reports it."""

    address: str | None = None
    status: str | None = None  # enhanced status, dotted
    reply_code: str | None = None
    code: str | None = None  # a code that may be either (bounced's "511" or "550")
    category: str | None = None


Parser = Callable[[bytes], list[Found]]
Agrees = Callable[[str, dict[str, Any]], bool | None]  # None: not judged


@dataclass
class Library:
    name: str
    dist: str  # distribution name for the version
    load: Callable[[], Parser]
    agrees: Agrees | None = None
    categories: str = ""


@dataclass
class Tally:
    messages: int = 0
    recipients: int = 0
    detected: int = 0
    count_exact: int = 0  # recipients in messages whose recipient count is right
    address_found: int = 0
    status_expected: int = 0
    status_given: int = 0
    status_exact: int = 0
    reply_expected: int = 0
    reply_given: int = 0
    reply_exact: int = 0
    category_given: int = 0
    category_judged: int = 0
    category_agrees: int = 0
    exceptions: int = 0
    not_bounces: int = 0
    not_bounces_taken: int = 0
    seconds: float = 0.0
    categories: Counter[str] = field(default_factory=Counter)
    missed_engines: Counter[str] = field(default_factory=Counter)
    missed_kinds: Counter[str] = field(default_factory=Counter)
    miscounted_engines: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- helpers


def clean_address(value: str | bytes | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    value = value.strip().strip("<>").strip()
    return value or None


def well_formed(address: str | None) -> bool:
    if not address or address.count("@") != 1 or any(c.isspace() for c in address):
        return False
    local, domain = address.split("@")
    return bool(local) and bool(domain)


def status_class(recipient: dict[str, Any]) -> str | None:
    """The class digit of the expected status, or of the reply code where there is no status."""
    for key in ("status", "replycode"):
        value = str(recipient.get(key) or "")
        if value[:1] in ("2", "4", "5"):
            return value[:1]
    return None


def greedy_pairs(
    expected: Sequence[dict[str, Any]], found: Sequence[Found], match: Callable[[dict[str, Any], Found], bool]
) -> int:
    """How many expected recipients pair with a found one (each used once), taken in order."""
    used: set[int] = set()
    pairs = 0
    for recipient in expected:
        for index, item in enumerate(found):
            if index not in used and match(recipient, item):
                used.add(index)
                pairs += 1
                break
    return pairs


def version_of(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def one_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text if len(text) <= 160 else text[:157] + "..."


# ----------------------------------------------------------------------------- flufl.bounce


def load_flufl() -> Parser:
    from flufl.bounce import all_failures

    def parse(data: bytes) -> list[Found]:
        temporary, permanent = all_failures(email.message_from_bytes(data))
        return [Found(address=clean_address(a), category="temporary") for a in sorted(temporary)] + [
            Found(address=clean_address(a), category="permanent") for a in sorted(permanent)
        ]

    return parse


def flufl_agrees(category: str, recipient: dict[str, Any]) -> bool | None:
    klass = status_class(recipient)
    if klass not in ("4", "5"):
        return None
    return (klass == "5") == (category == "permanent")


# ----------------------------------------------------------------------------- bounced


def load_bounced() -> Parser:
    from bounced import get_bounces

    def parse(data: bytes) -> list[Found]:
        bounces = get_bounces(email.message_from_bytes(data)) or set()
        found = []
        for bounce in bounces:
            recipient = bounce.recipient
            address = recipient[1] if isinstance(recipient, tuple) else recipient
            code = str(bounce.status) if bounce.status else None
            found.append(Found(address=clean_address(address), code=code, category=bounce.action or None))
        return sorted(found, key=lambda f: (f.address or "", f.code or ""))

    return parse


_ACTION_CLASS = {"failed": "5", "delayed": "4", "delivered": "2", "relayed": "2", "expanded": "2"}


def bounced_agrees(category: str, recipient: dict[str, Any]) -> bool | None:
    klass = status_class(recipient)
    if klass is None:
        return None
    return _ACTION_CLASS.get(category.lower()) == klass


# ----------------------------------------------------------------------------- bounce-email


def load_bounce_email() -> Parser:
    from bounce_email import bounce_email as module

    def parse(data: bytes) -> list[Found]:
        bounce = module.BounceEmail(data.decode("utf-8", "replace"))
        if not bounce.is_bounced:
            return []
        original = bounce.original_email
        address = None
        if original is not None:
            address = email.utils.parseaddr(str(original.get("To") or ""))[1]
        code = str(bounce.code) if bounce.code and bounce.code != "unknown" else None
        return [Found(address=clean_address(address), status=code, category=str(bounce.bounce_type))]

    return parse


_TYPE_CLASS = {"Permanent Failure": "5", "Persistent Transient Failure": "4", "Success": "2"}


def bounce_email_agrees(category: str, recipient: dict[str, Any]) -> bool | None:
    klass = status_class(recipient)
    if klass is None:
        return None
    return _TYPE_CLASS.get(category) == klass


# ----------------------------------------------------------------------------- BounceClassifier

_DEAD = {"userunknown", "hostunknown", "hasmoved", "suspend", "notaccept"}
_BLOCKED = {
    "blocked",
    "badreputation",
    "spamdetected",
    "policyviolation",
    "requireptr",
    "authfailure",
    "securityerror",
    "norelaying",
    "filtered",
    "rejected",
    "speeding",
    "toomanyconn",
    "virusdetected",
    "contenterror",
    "notcompliantrfc",
}
_TEMPORARY = {"expired", "networkerror", "toomanyconn", "speeding", "systemerror", "systemfull"}
BOUNCECLASSIFIER_REASONS: dict[str, set[str]] = {
    "deadrcpt": _DEAD,
    "invalid": _DEAD,
    "fullbox": {"mailboxfull"},
    "msgsize": {"mesgtoobig", "exceedlimit"},
    "blocked": _BLOCKED,
    "blacklist": _BLOCKED,
    "delayed": _TEMPORARY,
    "temperr": _TEMPORARY,
    "tmperr": _TEMPORARY,
    "invalid mx": {"hostunknown", "networkerror", "expired", "notaccept"},
    "mx error": {"systemerror", "systemfull", "mailererror"},
    "autoreply": {"vacation"},
}


def load_bounceclassifier() -> Parser:
    # On import it calls logging.basicConfig(filename="error.log"), which would create that file
    # in the working directory unless the root logger already has a handler.
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())
    from BounceClassifier.bounce_classifier import Bounce_classifier

    def parse(data: bytes) -> list[Found]:
        classifier = Bounce_classifier(data.decode("utf-8", "replace"))
        address = classifier.recipient_email()
        code, category = classifier.diagonostic_code()
        if code is None:
            category, _keyword = classifier.no_diagonostic_code()
        address = None if address == "Not found" else clean_address(address)
        if address is None and category == "unclassified":
            return []
        return [Found(address=address, category=None if category == "unclassified" else category)]

    return parse


def bounceclassifier_agrees(category: str, recipient: dict[str, Any]) -> bool | None:
    return str(recipient.get("reason", "")).lower() in BOUNCECLASSIFIER_REASONS.get(category, set())


# ----------------------------------------------------------------------------- bounce-mail-identifier


def load_bounce_mail_identifier() -> Parser:
    from bounce_mail_identifier.email_extractor import extract_failed_recipients

    def parse(data: bytes) -> list[Found]:
        text = email.message_from_bytes(data).as_string()
        return [Found(address=clean_address(a)) for a in extract_failed_recipients(text)]

    return parse


# ----------------------------------------------------------------------------- maildoctor


RECIPIENT_FIELDS = ("address", "status", "reply_code", "reason", "cause")


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return {key: item.get(key) for key in RECIPIENT_FIELDS}
    return {key: getattr(item, key, None) for key in RECIPIENT_FIELDS}


def maildoctor_parser() -> Callable[[bytes], list[dict[str, Any]]] | None:
    """maildoctor's own parser as bytes -> recipient dicts, or None while there is none yet.

    ``parse_bounce`` may return None (not a bounce), an object with ``recipients``, or a list;
    the recipients may be dicts or objects with the fields of RECIPIENT_FIELDS.
    """
    try:
        module = importlib.import_module("maildoctor.explain.bounce")
    except ImportError:
        return None
    parse_bounce = getattr(module, "parse_bounce", None)
    if not callable(parse_bounce):
        return None

    def parse(data: bytes) -> list[dict[str, Any]]:
        result = parse_bounce(data)
        if result is None:
            return []
        items = result if isinstance(result, list | tuple) else getattr(result, "recipients", ())
        return [_as_dict(item) for item in items]

    return parse


def load_maildoctor() -> Parser:
    parse_bounce = maildoctor_parser()
    if parse_bounce is None:
        raise ImportError("maildoctor.explain.bounce.parse_bounce does not exist yet")

    def text(value: Any) -> str | None:
        return str(value) if value not in (None, "") else None

    def parse(data: bytes) -> list[Found]:
        return [
            Found(
                address=clean_address(text(item.get("address"))),
                status=text(item.get("status")),
                reply_code=text(item.get("reply_code")),
                category=text(item.get("reason")),
            )
            for item in parse_bounce(data)
        ]

    return parse


def maildoctor_agrees(category: str, recipient: dict[str, Any]) -> bool | None:
    return category.lower() == str(recipient.get("reason", "")).lower()


LIBRARIES = [
    Library(
        "flufl.bounce", "flufl.bounce", load_flufl, flufl_agrees, "temporary / permanent (by status class)"
    ),
    Library("bounced", "bounced", load_bounced, bounced_agrees, "DSN Action (by status class)"),
    Library(
        "bounce-email",
        "bounce-email",
        load_bounce_email,
        bounce_email_agrees,
        "Permanent Failure / Persistent Transient Failure / Success (by status class)",
    ),
    Library(
        "BounceClassifier",
        "bounceclassifier",
        load_bounceclassifier,
        bounceclassifier_agrees,
        "deadrcpt invalid fullbox msgsize blocked blacklist delayed temperr tmperr 'invalid mx' "
        "'mx error' autoreply (by BOUNCECLASSIFIER_REASONS)",
    ),
    Library("bounce-mail-identifier", "bounce-mail-identifier", load_bounce_mail_identifier),
    Library("maildoctor", "maildoctor", load_maildoctor, maildoctor_agrees, "Sisimai reason names (as is)"),
]


# ----------------------------------------------------------------------------- running


def load_corpus(corpus: Path) -> tuple[dict[str, dict[str, Any]], list[Path], list[Path]]:
    expected: dict[str, dict[str, Any]] = json.loads((corpus / "expected.json").read_text())
    bounces = sorted((corpus / "emails").glob("*.eml"))
    not_bounces = sorted((corpus / "not-bounces").glob("*.eml"))
    return expected, bounces, not_bounces


def timed(parse: Parser, data: bytes, tally: Tally, name: str) -> list[Found] | None:
    started = time.perf_counter()
    try:
        return parse(data)
    except Exception as exc:
        tally.exceptions += 1
        tally.errors[one_line(exc)] += 1
        tally.lines.append(f"  {name}: exception {one_line(exc)}")
        return None
    finally:
        tally.seconds += time.perf_counter() - started


Match = Callable[[dict[str, Any], Found], bool]


def status_matches(recipient: dict[str, Any], found: Found) -> bool:
    status = str(recipient.get("status") or "")
    if not status:
        return False
    return found.status == status or (found.code is not None and found.code == status.replace(".", ""))


def reply_matches(recipient: dict[str, Any], found: Found) -> bool:
    reply = str(recipient.get("replycode") or "")
    return bool(reply) and reply in (found.reply_code, found.code)


def category_matchers(agrees: Agrees) -> tuple[Match, Match]:
    """(judged, agreeing): whether a found category can be judged against a recipient, and agrees."""

    def judged(recipient: dict[str, Any], found: Found) -> bool:
        return agrees(found.category or "", recipient) is not None

    def agreeing(recipient: dict[str, Any], found: Found) -> bool:
        return agrees(found.category or "", recipient) is True

    return judged, agreeing


def score(
    library: Library, parse: Parser, expected: dict[str, dict[str, Any]], files: Iterable[Path]
) -> Tally:
    tally = Tally()
    for path in files:
        want = expected[path.name]
        recipients: list[dict[str, Any]] = want["recipients"]
        tally.messages += 1
        tally.recipients += len(recipients)
        tally.status_expected += sum(1 for r in recipients if r.get("status"))
        tally.reply_expected += sum(1 for r in recipients if r.get("replycode"))
        found = timed(parse, path.read_bytes(), tally, path.name) or []
        if found:
            tally.detected += 1
        else:
            tally.missed_engines[want["engine"]] += 1
            tally.missed_kinds[want["kind"]] += 1
        if len(found) == len(recipients):
            tally.count_exact += len(recipients)
            tally.address_found += sum(1 for f in found if well_formed(f.address))
        elif found:
            tally.miscounted_engines[want["engine"]] += 1
        tally.status_given += sum(1 for f in found if f.status or f.code)
        tally.reply_given += sum(1 for f in found if f.reply_code or f.code)
        tally.status_exact += greedy_pairs(recipients, found, status_matches)
        tally.reply_exact += greedy_pairs(recipients, found, reply_matches)
        categorized = [f for f in found if f.category]
        tally.category_given += len(categorized)
        tally.categories.update(f.category for f in categorized if f.category)
        if library.agrees is not None:
            judged, agreeing = category_matchers(library.agrees)
            tally.category_judged += greedy_pairs(recipients, categorized, judged)
            tally.category_agrees += greedy_pairs(recipients, categorized, agreeing)
        if found:
            shown = ", ".join(f"{f.address} {f.status or f.code or '-'} {f.category or '-'}" for f in found)
        else:
            shown = "-"
        expect = ", ".join(f"{r['status'] or '-'} {r['replycode'] or '-'} {r['reason']}" for r in recipients)
        tally.lines.append(f"  {path.name} [{want['engine']}]: found {shown} | expected {expect}")
    return tally


def score_not_bounces(parse: Parser, files: Iterable[Path], tally: Tally) -> None:
    for path in files:
        tally.not_bounces += 1
        found = timed(parse, path.read_bytes(), tally, path.name)
        if found:
            tally.not_bounces_taken += 1
            tally.lines.append(f"  {path.name}: taken for a bounce: {found}")


def top(counter: Counter[str], totals: Counter[str], limit: int = 12) -> str:
    items = counter.most_common(limit)
    text = ", ".join(f"{key} {count}/{totals[key]}" for key, count in items)
    more = len(counter) - len(items)
    return text + (f", ... ({more} more)" if more > 0 else "") if text else "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the bounce corpus folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every message's result")
    parser.add_argument("--only", action="append", help="run only this library (may repeat)")
    args = parser.parse_args()

    expected, bounces, not_bounces = load_corpus(args.corpus)
    engines = Counter(str(v["engine"]) for v in expected.values())
    kinds = Counter(str(v["kind"]) for v in expected.values())
    print(
        f"corpus {args.corpus}: {len(bounces)} bounces, "
        f"{sum(len(expected[p.name]['recipients']) for p in bounces)} recipients, "
        f"{len(not_bounces)} non-bounces\n"
    )

    results: list[tuple[Library, str, Tally]] = []
    for library in LIBRARIES:
        if args.only and library.name not in args.only:
            continue
        try:
            parse = library.load()
        except Exception as exc:
            print(f"{library.name}: not available ({one_line(exc)}); skipped")
            continue
        version = version_of(library.dist)
        tally = score(library, parse, expected, bounces)
        score_not_bounces(parse, not_bounces, tally)
        results.append((library, version, tally))

    if not results:
        return
    headers = [
        "library",
        "version",
        "detected",
        "rcpt count",
        "address",
        "status",
        "status given",
        "reply code",
        "code given",
        "category agrees",
        "non-bounces taken",
        "exceptions",
        "ms/msg",
    ]
    rows = []
    for library, version, t in results:
        per_message = 1000 * t.seconds / max(1, t.messages + t.not_bounces)
        rows.append(
            [
                library.name,
                version,
                f"{t.detected}/{t.messages}",
                f"{t.count_exact}/{t.recipients}",
                f"{t.address_found}/{t.recipients}",
                f"{t.status_exact}/{t.status_expected}",
                str(t.status_given),
                f"{t.reply_exact}/{t.reply_expected}",
                str(t.reply_given),
                f"{t.category_agrees}/{t.category_judged}" if library.agrees else "-",
                f"{t.not_bounces_taken}/{t.not_bounces}",
                str(t.exceptions),
                f"{per_message:.2f}",
            ]
        )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(
        "\n(status given / code given: recipients for which the library returned one; bounced's one"
        " code may be\n either. category agrees: agreeing/judged recipients, see the docstring for the"
        " mappings.)"
    )

    for library, _version, t in results:
        print(f"\n{library.name}:")
        if library.categories:
            print(f"  categories ({library.categories}): {dict(t.categories.most_common())}")
        print(f"  not detected, by kind: {top(t.missed_kinds, kinds)}")
        print(f"  not detected, by engine: {top(t.missed_engines, engines)}")
        print(f"  detected with a wrong recipient count, by engine: {top(t.miscounted_engines, engines)}")
        for error, count in t.errors.most_common(3):
            print(f"  exception x{count}: {error}")
        if args.verbose:
            print("\n".join(t.lines))


if __name__ == "__main__":
    main()
