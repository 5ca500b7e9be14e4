"""What each problem of the domain checks means, in one or two plain sentences.

The modules of `maildoctor domain` return problems as typed data (a code and values, no
prose); this module turns a problem into a sentence for an office worker, in the reader's
language: what is wrong, and why it matters.

`PROBLEM_TEXTS` maps a key ``"<kind>:<code value>"`` (see `problem_key`) to English message
ids marked with N_() (Babel extracts them; the ja catalog translates them), the most exact
first. A text may hold ``{placeholders}`` for values the problem carries (a DomainProblem's
params, DMARC's tag and value, DKIM's selector and tag, MTA-STS's field, SPF's domain and
term); the first text whose placeholders all have a value is shown, as knowledge.py does
for fix steps. The last text of every key has no placeholder, so a known key always gives
a sentence.

The kinds and the enums behind them:

    mx            domain/mx.py          MxProblem (DomainProblem)
    blocklist     domain/blocklists.py  BlocklistProblem (DomainProblem)
    registration  domain/registration.py RegistrationProblem (DomainProblem)
    dmarc         domain/dmarc.py       DmarcProblemCode (DmarcProblem)
    dkim          domain/dkim.py        DkimProblemCode (DkimProblem)
    sts           domain/mtasts.py      StsProblemCode (StsProblem; MTA-STS and TLS-RPT)
    spf           domain/spf.py         PolicyIssue (PolicyProblem: the record without a sender)
    spf-check     domain/spf.py         SpfErrorKind (SpfError: why check_host() gave an error)
    spf-syntax    domain/spf_record.py  SyntaxIssue (the `syntax` of a PolicyProblem or SpfError)
    spf-result    domain/spf_record.py  SpfResult (check_host() for one sending IP; values domain, ip)

No problem dataclass carries an SpfResult, so problem_key never gives an spf-result key: a
caller that shows the result of checking a sending IP builds it ("spf-result:softfail").
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from maildoctor.domain.blocklists import BlocklistProblem
from maildoctor.domain.dkim import DkimProblem, DkimProblemCode
from maildoctor.domain.dmarc import DmarcProblem, DmarcProblemCode
from maildoctor.domain.mtasts import StsProblem, StsProblemCode
from maildoctor.domain.mx import DomainProblem, MxProblem
from maildoctor.domain.registration import RegistrationProblem
from maildoctor.domain.spf import PolicyIssue, PolicyProblem, SpfError, SpfErrorKind
from maildoctor.domain.spf_record import SpfResult, SyntaxIssue
from maildoctor.i18n import N_, Translator
from maildoctor.knowledge import Step, render_step, translate_value

Problem = DomainProblem | DmarcProblem | DkimProblem | StsProblem | PolicyProblem | SpfError

# the kind of key each code enum gives ("mx:MX_CNAME", "spf:too-many-lookups")
KINDS: Final[Mapping[type[StrEnum], str]] = MappingProxyType(
    {
        MxProblem: "mx",
        BlocklistProblem: "blocklist",
        RegistrationProblem: "registration",
        DmarcProblemCode: "dmarc",
        DkimProblemCode: "dkim",
        StsProblemCode: "sts",
        PolicyIssue: "spf",
        SpfErrorKind: "spf-check",
        SyntaxIssue: "spf-syntax",
        SpfResult: "spf-result",
    }
)

# DomainProblem params that hold an English message id (N_) rather than a value
_MESSAGE_PARAMS: Final = frozenset({"meaning", "usage", "note"})

# --------------------------------------------------------------------------- texts shared by several keys

_SPF_MULTIPLE: Final = (
    N_(
        "The domain {domain} has more than one SPF record (v=spf1); receivers then treat SPF as broken. "
        "The records must be merged into one."
    ),
    N_(
        "The domain has more than one SPF record (v=spf1); receivers then treat SPF as broken. "
        "The records must be merged into one."
    ),
)
_SPF_SYNTAX: Final = (
    N_(
        "The SPF record of {domain} has a mistake at “{term}”, so receivers treat the whole record as broken."
    ),
    N_("The SPF record has a mistake, so receivers treat the whole record as broken."),
)
_SPF_TOO_MANY_LOOKUPS: Final = (
    N_(
        "Checking the SPF record needs more than 10 DNS lookups (each include:, a, mx, ptr, exists "
        "and redirect= counts; the 11th is “{term}” in the record of {domain}); receivers then treat "
        "SPF as broken."
    ),
    N_(
        "Checking the SPF record needs more than 10 DNS lookups (each include:, a, mx, ptr, exists "
        "and redirect= counts); receivers then treat SPF as broken."
    ),
)
_SPF_TOO_MANY_VOID: Final = (
    N_(
        "The SPF record refers to more than two names that do not exist in DNS (the third is “{term}” "
        "in the record of {domain}); receivers then treat SPF as broken."
    ),
    N_(
        "The SPF record refers to more than two names that do not exist in DNS; receivers then treat "
        "SPF as broken."
    ),
)
_SPF_TOO_MANY_MX: Final = (
    N_(
        "“{term}” in the SPF record of {domain} points at a domain with more than 10 mail servers (MX); "
        "receivers treat SPF as broken when they get there."
    ),
    N_(
        "An mx term of the SPF record points at a domain with more than 10 mail servers (MX); "
        "receivers treat SPF as broken when they get there."
    ),
)
_SPF_LOOP: Final = (
    N_(
        "“{term}” in the SPF record of {domain} leads back to a record already on the way (a loop); "
        "receivers treat SPF as broken."
    ),
    N_("The SPF record includes itself in a loop; receivers treat SPF as broken."),
)
_SPF_INCLUDE_WITHOUT_RECORD: Final = (
    N_(
        "“{term}” in the SPF record of {domain} names a domain that has no SPF record; receivers "
        "treat SPF as broken. Check the name, or remove the term."
    ),
    N_(
        "An include: of the SPF record names a domain that has no SPF record; receivers treat SPF "
        "as broken. Check the name, or remove the term."
    ),
)
_SPF_REDIRECT_WITHOUT_RECORD: Final = (
    N_(
        "“{term}” in the SPF record of {domain} hands over to a domain that has no SPF record; "
        "receivers treat SPF as broken."
    ),
    N_(
        "The redirect= of the SPF record hands over to a domain that has no SPF record; receivers "
        "treat SPF as broken."
    ),
)
_STS_DNS_ERROR: Final = N_(
    "The MTA-STS or TLS-RPT record could not be looked up (the DNS server gave an error or no answer); "
    "this says nothing about whether it exists. Try again later."
)

# --------------------------------------------------------------------------- the texts

_TEXTS: Final[dict[str, tuple[str, ...]]] = {
    # ------------------------------------------------------------------- mx.py: MxProblem
    "mx:DOMAIN_NXDOMAIN": (
        N_(
            "The domain {domain} does not exist in DNS (the internet's directory of names), so no mail "
            "can be sent to it, and mail from it is refused."
        ),
        N_(
            "The domain does not exist in DNS (the internet's directory of names), so no mail can be "
            "sent to it, and mail from it is refused."
        ),
    ),
    "mx:MX_LOOKUP_FAILED": (
        N_(
            "The DNS servers of {domain} did not answer properly ({outcome}), so other mail servers "
            "cannot find where to deliver its mail; mail to it is delayed or returned."
        ),
        N_(
            "The DNS servers of {domain} did not answer properly, so other mail servers cannot find "
            "where to deliver its mail; mail to it is delayed or returned."
        ),
        N_(
            "The domain's DNS servers did not answer properly, so other mail servers cannot find where "
            "to deliver its mail; mail to it is delayed or returned."
        ),
    ),
    "mx:NO_MX_IMPLICIT": (
        N_(
            "{domain} names no mail server (no MX record), so senders deliver its mail to the domain's "
            "own address ({addresses}); this works only if that server receives mail."
        ),
        N_(
            "The domain names no mail server (no MX record), so senders deliver its mail to the "
            "domain's own address; this works only if that server receives mail."
        ),
    ),
    "mx:NO_MAIL_HOST": (
        N_(
            "{domain} names no mail server (no MX record) and has no address of its own either, so "
            "nobody can deliver mail to it."
        ),
        N_(
            "The domain names no mail server (no MX record) and has no address of its own either, so "
            "nobody can deliver mail to it."
        ),
    ),
    "mx:NULL_MX": (
        N_(
            "{domain} declares that it receives no mail at all (a “null MX” record), so all mail sent "
            "to it is returned. If it should receive mail, that record must be replaced."
        ),
        N_(
            "The domain declares that it receives no mail at all (a “null MX” record), so all mail "
            "sent to it is returned. If it should receive mail, that record must be replaced."
        ),
    ),
    "mx:NULL_MX_MIXED": (
        N_(
            "The MX records of {domain} mix real mail servers with a “.” entry, which means “no mail "
            "here”; some senders may then refuse to deliver. The “.” entry should be removed."
        ),
        N_(
            "The MX records mix real mail servers with a “.” entry, which means “no mail here”; some "
            "senders may then refuse to deliver. The “.” entry should be removed."
        ),
    ),
    "mx:NULL_MX_NONZERO": (
        N_(
            "The MX record of {domain} that says “no mail here” should have the priority 0 "
            "(MX 0 .); with another number, some senders may not understand it."
        ),
        N_(
            "The MX record that says “no mail here” should have the priority 0 (MX 0 .); with another "
            "number, some senders may not understand it."
        ),
    ),
    "mx:MX_CNAME": (
        N_(
            "The MX record names {host}, an alias (CNAME) of {target}, instead of a mail server's own "
            "name; some senders then cannot deliver mail to this domain."
        ),
        N_(
            "The MX record names an alias (CNAME) instead of a mail server's own name; some senders "
            "then cannot deliver mail to this domain."
        ),
    ),
    "mx:MX_IP_LITERAL": (
        N_(
            "The MX record names the address {address} instead of a server name (such as "
            "mail.example.jp); most senders then cannot deliver mail to this server."
        ),
        N_(
            "The MX record names an IP address instead of a server name (such as mail.example.jp); "
            "most senders then cannot deliver mail to this server."
        ),
    ),
    "mx:MX_HOST_NXDOMAIN": (
        N_(
            "The mail server {host} named in the MX record does not exist in DNS, so mail cannot be "
            "delivered to it."
        ),
        N_("A mail server named in the MX record does not exist in DNS, so mail cannot be delivered to it."),
    ),
    "mx:MX_HOST_NO_ADDRESS": (
        N_(
            "The mail server {host} named in the MX record has no IP address (no A or AAAA record), "
            "so mail cannot be delivered to it."
        ),
        N_(
            "A mail server named in the MX record has no IP address (no A or AAAA record), so mail "
            "cannot be delivered to it."
        ),
    ),
    "mx:MX_HOST_LOOKUP_FAILED": (
        N_(
            "The address of the mail server {host} could not be looked up (its DNS servers gave an "
            "error or no answer), so mail to it may be delayed or returned."
        ),
        N_(
            "The address of a mail server could not be looked up (its DNS servers gave an error or no "
            "answer), so mail to it may be delayed or returned."
        ),
    ),
    "mx:MX_ADDRESS_NOT_PUBLIC": (
        N_(
            "The mail server {host} has the address {address}, which is private or reserved and cannot "
            "be reached from the internet; mail from outside cannot be delivered to it."
        ),
        N_(
            "A mail server has an address that is private or reserved and cannot be reached from the "
            "internet; mail from outside cannot be delivered to it."
        ),
    ),
    "mx:PTR_MISSING": (
        N_(
            "The address {address} of the mail server {host} has no reverse DNS (PTR: the name an "
            "address belongs to); if this server also sends mail, receivers may treat it as suspicious "
            "or refuse it."
        ),
        N_(
            "An address of the mail server has no reverse DNS (PTR: the name an address belongs to); "
            "if this server also sends mail, receivers may treat it as suspicious or refuse it."
        ),
    ),
    "mx:PTR_NOT_CONFIRMED": (
        N_(
            "The reverse DNS (PTR) of {address} gives the name {ptr}, which does not lead back to that "
            "address; if this server also sends mail, receivers may treat it as suspicious."
        ),
        N_(
            "The reverse DNS (PTR) of a mail server's address gives a name that does not lead back to "
            "that address; if this server also sends mail, receivers may treat it as suspicious."
        ),
    ),
    "mx:PTR_LOOKUP_FAILED": (
        N_(
            "The reverse DNS (PTR) of {address} could not be looked up ({outcome}), so whether it is "
            "set is unknown."
        ),
        N_(
            "The reverse DNS (PTR) of a mail server's address could not be looked up, so whether it is "
            "set is unknown."
        ),
    ),
    "mx:PTR_GENERIC": (
        N_(
            "The reverse DNS (PTR) of {address} is {ptr}, which looks like an internet provider's "
            "automatic name; if this server sends mail, receivers may take it for spam. A name of its "
            "own, such as {host}, is better."
        ),
        N_(
            "The reverse DNS (PTR) of a mail server's address looks like an internet provider's "
            "automatic name; if this server sends mail, receivers may take it for spam."
        ),
    ),
    # ------------------------------------------------------------------- blocklists.py: BlocklistProblem
    "blocklist:IP_LISTED": (
        N_(
            "The sending address {address} is on the blocklist {list} ({meaning}), so many receivers "
            "refuse its mail or put it in spam."
        ),
        N_(
            "The sending address {address} is on the blocklist {list} (a list of addresses that sent "
            "spam or viruses), so many receivers refuse its mail or put it in spam."
        ),
        N_(
            "A sending address is on a blocklist (a list of addresses that sent spam or viruses), so "
            "many receivers refuse its mail or put it in spam."
        ),
    ),
    "blocklist:IP_POOR_REPUTATION": (
        N_(
            "The sending address {address} has a poor reputation at {list}; some receivers put its "
            "mail in spam or refuse it."
        ),
        N_("A sending address has a poor reputation; some receivers put its mail in spam or refuse it."),
    ),
    "blocklist:IP_POLICY_LISTED": (
        N_(
            "{list} lists {address} as an address of an ordinary internet line, which should not send "
            "mail to other servers directly. That is normal for a computer that sends through the "
            "provider's server, but a mail server at this address gets its mail refused."
        ),
        N_(
            "A sending address is listed as an address of an ordinary internet line, which should not "
            "send mail to other servers directly. That is normal for a computer that sends through the "
            "provider's server, but a mail server at this address gets its mail refused."
        ),
    ),
    "blocklist:LIST_REFUSED": (
        N_(
            "{list} refused to answer about {address} because the question came through the public DNS "
            "service {public_resolver}; whether the address is listed there is unknown."
        ),
        N_("{list} refused to answer about {address}, so whether the address is listed there is unknown."),
        N_("A blocklist refused to answer, so whether the address is listed there is unknown."),
    ),
    "blocklist:LIST_UNANSWERED": (
        N_(
            "{list} gave no usable answer about {address} ({outcome}), so whether the address is "
            "listed there is unknown."
        ),
        N_(
            "{list} gave no usable answer about {address}, so whether the address is listed there is unknown."
        ),
        N_("A blocklist gave no usable answer, so whether the address is listed there is unknown."),
    ),
    "blocklist:LIST_UNRELIABLE": (
        N_("{list} answered its test questions wrongly, so its answers were not used."),
        N_("A blocklist answered its test questions wrongly, so its answers were not used."),
    ),
    # ------------------------------------------------------------------- registration.py: RegistrationProblem
    "registration:DOMAIN_EXPIRING": (
        N_(
            "The domain {domain} expires on {expires}; if it is not renewed by then, mail to and from "
            "it stops working."
        ),
        N_(
            "The domain {domain} expires soon; if it is not renewed in time, mail to and from it stops "
            "working."
        ),
        N_("The domain expires soon; if it is not renewed in time, mail to and from it stops working."),
    ),
    "registration:DOMAIN_EXPIRED": (
        N_(
            "The domain {domain} expired on {expires}; mail may still work for a short grace period, "
            "then stops. It must be renewed at once."
        ),
        N_(
            "The domain {domain} has expired; mail may still work for a short grace period, then stops. "
            "It must be renewed at once."
        ),
        N_(
            "The domain has expired; mail may still work for a short grace period, then stops. It must "
            "be renewed at once."
        ),
    ),
    "registration:DOMAIN_ON_HOLD": (
        N_(
            "The domain {domain} is on hold at the registry and taken out of DNS, so mail to and from "
            "it does not work; its registrar {registrar} can say why (often an unpaid fee or an "
            "unconfirmed contact address)."
        ),
        N_(
            "The domain {domain} is on hold at the registry and taken out of DNS, so mail to and from "
            "it does not work; the company it was registered with can say why (often an unpaid fee or "
            "an unconfirmed contact address)."
        ),
        N_(
            "The domain is on hold at the registry and taken out of DNS, so mail to and from it does "
            "not work; the company it was registered with can say why (often an unpaid fee or an "
            "unconfirmed contact address)."
        ),
    ),
    "registration:DOMAIN_PENDING_DELETE": (
        N_(
            "The domain {domain} has expired and is about to be deleted, so mail does not work; only "
            "its registrar {registrar} can still restore it, usually for a fee."
        ),
        N_(
            "The domain {domain} has expired and is about to be deleted, so mail does not work; only "
            "the company it was registered with can still restore it, usually for a fee."
        ),
        N_(
            "The domain has expired and is about to be deleted, so mail does not work; only the "
            "company it was registered with can still restore it, usually for a fee."
        ),
    ),
    "registration:DOMAIN_NOT_REGISTERED": (
        N_(
            "The registry (which keeps the list of domains) has no record of {domain}; if the domain "
            "does not work in DNS either, it is not registered, and no mail can work with it."
        ),
        N_(
            "The registry (which keeps the list of domains) has no record of the domain; if the domain "
            "does not work in DNS either, it is not registered, and no mail can work with it."
        ),
    ),
    "registration:RDAP_NO_SERVICE": (
        N_(
            "The registry of .{tld} domains does not publish its data in a form this check can read "
            "(RDAP), so the expiry date of {domain} is not known; {service} ({url}) or the registrar's "
            "control panel shows it."
        ),
        N_(
            "The registry of this domain does not publish its data in a form this check can read "
            "(RDAP), so the expiry date is not known; the registrar's control panel shows it."
        ),
    ),
    "registration:RDAP_UNAVAILABLE": (
        N_(
            "The registration data of {domain} could not be fetched just now, so its expiry date is "
            "not known; the registrar's control panel shows it."
        ),
        N_(
            "The registration data of the domain could not be fetched just now, so its expiry date is "
            "not known; the registrar's control panel shows it."
        ),
    ),
    # ------------------------------------------------------------------- dmarc.py: DmarcProblemCode
    "dmarc:not_dmarc_record": (
        N_(
            "The DMARC record does not start with v=DMARC1, so receivers ignore it and the domain counts "
            "as having no DMARC."
        ),
    ),
    "dmarc:spf_record_at_dmarc": (
        N_(
            "An SPF record (v=spf1) was put where the DMARC record belongs (_dmarc); receivers ignore it, "
            "so the domain counts as having no DMARC."
        ),
    ),
    "dmarc:syntax": (
        N_(
            "The DMARC record is written wrongly at “{tag}”, so receivers ignore the whole record and "
            "the domain counts as having no DMARC."
        ),
        N_(
            "The DMARC record is written wrongly, so receivers ignore the whole record and the domain "
            "counts as having no DMARC."
        ),
    ),
    "dmarc:duplicate_tag": (
        N_(
            "The DMARC record gives {tag}= more than once, so receivers ignore the whole record and the "
            "domain counts as having no DMARC."
        ),
        N_(
            "The DMARC record gives a setting more than once, so receivers ignore the whole record and "
            "the domain counts as having no DMARC."
        ),
    ),
    "dmarc:invalid_tag_value": (
        N_(
            "In the DMARC record, {tag}={value} is not an allowed value, so receivers ignore the whole "
            "record and the domain counts as having no DMARC."
        ),
        N_(
            "In the DMARC record, {tag}= has a value that is not allowed, so receivers ignore the whole "
            "record and the domain counts as having no DMARC."
        ),
        N_(
            "The DMARC record has a value that is not allowed, so receivers ignore the whole record and "
            "the domain counts as having no DMARC."
        ),
    ),
    "dmarc:invalid_report_uri": (
        N_(
            "The report address in {tag}= ({value}) is not written correctly (it should look like "
            "mailto:dmarc@example.jp), so receivers ignore the whole DMARC record."
        ),
        N_(
            "A report address ({value}) is not written correctly (it should look like "
            "mailto:dmarc@example.jp), so receivers ignore the whole DMARC record."
        ),
        N_(
            "A report address is not written correctly (it should look like mailto:dmarc@example.jp), "
            "so receivers ignore the whole DMARC record."
        ),
    ),
    "dmarc:multiple_records": (
        N_(
            "There is more than one DMARC record; receivers then use none of them, as if the domain had "
            "no DMARC."
        ),
    ),
    "dmarc:no_record": (
        N_(
            "The domain has no DMARC record (the rule that tells receivers what to do with mail that "
            "fails the sender checks SPF and DKIM). Gmail and Yahoo require one from senders of bulk "
            "mail, and mail forged in the domain's name is harder to stop."
        ),
    ),
    "dmarc:missing_policy": (
        N_(
            "The DMARC record has no p= (the policy), so receivers read it as p=none and do nothing "
            "with mail that fails the checks."
        ),
    ),
    "dmarc:no_report_address": (
        N_(
            "The DMARC record has no rua= report address, so nobody receives the reports that show "
            "which mail fails the checks and why."
        ),
    ),
    "dmarc:subdomain_policy_weaker": (
        N_(
            "The DMARC record sets sp=none, so mail forged in the name of sub-domains (like "
            "sales.example.jp) is not stopped, though mail in the domain's own name is."
        ),
    ),
    "dmarc:partial_policy": (
        N_(
            "The DMARC record applies its policy to only {value}% of the mail that fails the checks "
            "(pct={value}); the rest is delivered as if there were no policy."
        ),
        N_(
            "The DMARC record applies its policy to only part of the mail that fails the checks (pct=); "
            "the rest is delivered as if there were no policy."
        ),
    ),
    "dmarc:unknown_tag": (
        N_(
            "The DMARC record contains {tag}=, which is not a DMARC setting; receivers ignore it. It may "
            "be a typo."
        ),
        N_(
            "The DMARC record contains a setting that DMARC does not have; receivers ignore it. It may "
            "be a typo."
        ),
    ),
    "dmarc:non_mailto_report_uri": (
        N_(
            "A report address in {tag}= is not an email address (mailto:); receivers need only send "
            "reports by email, so these reports may never arrive."
        ),
        N_(
            "A report address is not an email address (mailto:); receivers need only send reports by "
            "email, so these reports may never arrive."
        ),
    ),
    "dmarc:external_report_unverified": (
        N_(
            "DMARC reports are to go to another domain ({value}), which has not published the record "
            "that agrees to receive them; receivers therefore do not send them there."
        ),
        N_(
            "DMARC reports are to go to another domain, which has not published the record that agrees "
            "to receive them; receivers therefore do not send them there."
        ),
    ),
    "dmarc:dns_error": (
        N_(
            "The DMARC record could not be looked up (the DNS server gave an error or no answer); this "
            "says nothing about whether it exists. Try again later."
        ),
    ),
    "dmarc:policy_none": (
        N_(
            "The DMARC policy is p=none: receivers only report mail that fails the checks and still "
            "deliver it, so mail forged in the domain's name is not stopped."
        ),
    ),
    "dmarc:testing_mode": (
        N_(
            "The DMARC record is in test mode (t=y): receivers apply the policy one step milder than written."
        ),
    ),
    "dmarc:removed_tag": (
        N_(
            "The DMARC record uses {tag}=, which the current DMARC standard has removed; newer receivers "
            "ignore it."
        ),
        N_(
            "The DMARC record uses a setting that the current DMARC standard has removed; newer "
            "receivers ignore it."
        ),
    ),
    "dmarc:policy_not_second": (
        N_(
            "In the DMARC record, p= does not come right after v=DMARC1; most receivers accept this, "
            "but putting p= second is safer."
        ),
    ),
    "dmarc:inherited": (
        N_(
            "The domain has no DMARC record of its own; the record of its main domain (the "
            "organizational domain) applies to it."
        ),
    ),
    # ------------------------------------------------------------------- dkim.py: DkimProblemCode
    "dkim:syntax": (
        N_(
            "The DKIM key record at selector {selector} (the public key receivers use to check the "
            "domain's mail signature) is written wrongly, so no signature can be checked with it."
        ),
        N_(
            "The DKIM key record (the public key receivers use to check the domain's mail signature) is "
            "written wrongly, so no signature can be checked with it."
        ),
    ),
    "dkim:bad_version": (
        N_(
            "The DKIM key record at selector {selector} has a wrong v= (it must be v=DKIM1 and come "
            "first), so receivers cannot use the key."
        ),
        N_(
            "The DKIM key record has a wrong v= (it must be v=DKIM1 and come first), so receivers "
            "cannot use the key."
        ),
    ),
    "dkim:duplicate_tag": (
        N_(
            "The DKIM key record at selector {selector} gives {tag}= more than once, so receivers "
            "cannot use the key."
        ),
        N_("The DKIM key record gives a setting more than once, so receivers cannot use the key."),
    ),
    "dkim:missing_key": (
        N_(
            "The DKIM key record at selector {selector} has no p= (the key itself), so no signature can "
            "be checked with it."
        ),
        N_("The DKIM key record has no p= (the key itself), so no signature can be checked with it."),
    ),
    "dkim:unknown_key_type": (
        N_(
            "The DKIM key record at selector {selector} names a key type (k=) other than rsa or "
            "ed25519, which receivers cannot use."
        ),
        N_(
            "The DKIM key record names a key type (k=) other than rsa or ed25519, which receivers cannot use."
        ),
    ),
    "dkim:bad_key_data": (
        N_(
            "The key in p= at selector {selector} is damaged or incomplete (often cut off when copied "
            "into DNS), so receivers cannot use it."
        ),
        N_(
            "The DKIM key in p= is damaged or incomplete (often cut off when copied into DNS), so "
            "receivers cannot use it."
        ),
    ),
    "dkim:key_too_short": (
        N_(
            "The DKIM key at selector {selector} is shorter than 1024 bits; receivers ignore such keys, "
            "so the mail counts as unsigned."
        ),
        N_(
            "The DKIM key is shorter than 1024 bits; receivers ignore such keys, so the mail counts as "
            "unsigned."
        ),
    ),
    "dkim:sha1_only": (
        N_(
            "The DKIM key record at selector {selector} allows only the old SHA-1 method (h=), which "
            "receivers no longer accept."
        ),
        N_("The DKIM key record allows only the old SHA-1 method (h=), which receivers no longer accept."),
    ),
    "dkim:not_for_email": (
        N_(
            "The DKIM key record at selector {selector} says the key is not for email (s=), so "
            "receivers do not use it for mail."
        ),
        N_("The DKIM key record says the key is not for email (s=), so receivers do not use it for mail."),
    ),
    "dkim:multiple_records": (
        N_(
            "There is more than one DKIM key record at selector {selector}; receivers may pick either, "
            "so signatures fail at random."
        ),
        N_(
            "There is more than one DKIM key record under one name; receivers may pick either, so "
            "signatures fail at random."
        ),
    ),
    "dkim:revoked": (
        N_(
            "The DKIM key at selector {selector} has been withdrawn (p= is empty); mail still signed "
            "with it fails the check."
        ),
        N_("The DKIM key has been withdrawn (p= is empty); mail still signed with it fails the check."),
    ),
    "dkim:key_weak": (
        N_(
            "The DKIM key at selector {selector} is shorter than the 2048 bits recommended today; short "
            "keys are easier to break."
        ),
        N_("The DKIM key is shorter than the 2048 bits recommended today; short keys are easier to break."),
    ),
    "dkim:testing": (
        N_(
            "The DKIM key at selector {selector} is marked as a test (t=y): receivers treat signed mail "
            "as if it had no signature."
        ),
        N_("The DKIM key is marked as a test (t=y): receivers treat signed mail as if it had no signature."),
    ),
    "dkim:no_key_found": (
        N_(
            "No working DKIM key (the electronic signature that proves mail comes from this domain) was "
            "found under the usual names; unsigned mail is more likely to land in spam. If the provider "
            "named a selector, check that name."
        ),
    ),
    "dkim:named_selector_missing": (
        N_(
            "There is no DKIM key at the selector {selector} that was given; check the name, or ask the "
            "mail provider which selector it signs with."
        ),
        N_(
            "There is no DKIM key at the selector that was given; check the name, or ask the mail "
            "provider which selector it signs with."
        ),
    ),
    "dkim:dns_error": (
        N_(
            "The DKIM key at selector {selector} could not be looked up (the DNS server gave an error or "
            "no answer); this says nothing about whether it exists."
        ),
        N_(
            "A DKIM key could not be looked up (the DNS server gave an error or no answer); this says "
            "nothing about whether it exists."
        ),
    ),
    "dkim:strict_identity": (
        N_(
            "The DKIM key at selector {selector} is set to strict mode (t=s): it is valid only for "
            "signatures in the domain's own name, not its sub-domains."
        ),
        N_(
            "The DKIM key is set to strict mode (t=s): it is valid only for signatures in the domain's "
            "own name, not its sub-domains."
        ),
    ),
    # ------------------------------------------------------------------- mtasts.py: StsProblemCode
    "sts:spf_record_at_sts": (
        N_(
            "An SPF record (v=spf1) was put where the MTA-STS record belongs (_mta-sts), so MTA-STS "
            "(the rule that makes senders always encrypt mail to this domain) is off."
        ),
    ),
    "sts:record_version": (
        N_(
            "The MTA-STS record does not start with v=STSv1, so senders ignore it and MTA-STS (the rule "
            "that makes senders always encrypt mail to this domain) is off."
        ),
    ),
    "sts:record_syntax": (
        N_("The MTA-STS record is written wrongly at {field}=, so senders ignore it and MTA-STS is off."),
        N_("The MTA-STS record is written wrongly, so senders ignore it and MTA-STS is off."),
    ),
    "sts:record_missing_id": (
        N_(
            "The MTA-STS record has no id= (a number to change whenever the policy changes), so senders "
            "ignore it and MTA-STS is off."
        ),
    ),
    "sts:record_bad_id": (
        N_(
            "The id= of the MTA-STS record must be 1 to 32 letters and digits only; otherwise senders "
            "ignore the record and MTA-STS is off."
        ),
    ),
    "sts:multiple_records": (
        N_("There is more than one MTA-STS record; senders then use none of them, and MTA-STS is off."),
    ),
    "sts:policy_host_not_found": (
        N_(
            "The web server name for the MTA-STS policy file (mta-sts. followed by the domain) does not "
            "exist in DNS, so senders cannot fetch the policy and MTA-STS does not work."
        ),
    ),
    "sts:policy_unreachable": (
        N_(
            "The web server of the MTA-STS policy file could not be reached (no connection or no answer "
            "in time), so senders cannot fetch the policy and MTA-STS does not work."
        ),
    ),
    "sts:policy_certificate": (
        N_(
            "The certificate of the MTA-STS policy's web server is not valid (expired, self-made, or for "
            "another name), so senders refuse the policy and MTA-STS does not work."
        ),
    ),
    "sts:policy_tls": (
        N_(
            "The encrypted connection (HTTPS) to the MTA-STS policy's web server failed, so senders "
            "cannot fetch the policy and MTA-STS does not work."
        ),
    ),
    "sts:policy_http_status": (
        N_(
            "The web server did not return the MTA-STS policy file (it answered with an error, such as "
            "404 not found), so MTA-STS does not work."
        ),
    ),
    "sts:policy_redirect": (
        N_(
            "The web server sends senders on to another address for the MTA-STS policy file; senders do "
            "not follow such redirects, so MTA-STS does not work."
        ),
    ),
    "sts:policy_content_type": (
        N_(
            "The MTA-STS policy file is not served as plain text (text/plain), so senders ignore it and "
            "MTA-STS does not work."
        ),
    ),
    "sts:policy_too_large": (
        N_("The MTA-STS policy file is larger than 64 KB, so senders ignore it and MTA-STS does not work."),
    ),
    "sts:policy_protocol": (
        N_(
            "The web server's answer for the MTA-STS policy file could not be read (not a normal HTTP "
            "answer, or not UTF-8 text), so MTA-STS does not work."
        ),
    ),
    "sts:policy_syntax": (
        N_(
            "The “{field}” line of the MTA-STS policy file has no usable value, so senders ignore the "
            "policy and MTA-STS does not work."
        ),
        N_(
            "A line of the MTA-STS policy file is not written as “name: value”, so senders ignore the "
            "policy and MTA-STS does not work."
        ),
    ),
    "sts:policy_version": (
        N_(
            "The MTA-STS policy file lacks the line “version: STSv1” (or names another version), so "
            "senders ignore it and MTA-STS does not work."
        ),
    ),
    "sts:policy_mode": (
        N_(
            "The mode line of the MTA-STS policy file is missing or is not enforce, testing or none, so "
            "senders ignore the policy and MTA-STS does not work."
        ),
    ),
    "sts:policy_max_age": (
        N_(
            "The max_age line of the MTA-STS policy file (how many seconds senders remember the policy) "
            "is missing, not a number, or over one year, so senders ignore the policy."
        ),
    ),
    "sts:policy_mx_missing": (
        N_(
            "The MTA-STS policy file lists no mail servers (mx lines), so senders ignore the policy and "
            "MTA-STS does not work."
        ),
    ),
    "sts:policy_mx_invalid": (
        N_(
            "An mx line of the MTA-STS policy file is not a valid server name, so senders ignore the "
            "policy and MTA-STS does not work."
        ),
    ),
    "sts:mx_not_covered": (
        N_(
            "One of the domain's mail servers (MX) is not listed in the MTA-STS policy file; in enforce "
            "mode, senders refuse to deliver mail to that server."
        ),
    ),
    "sts:dns_error": (_STS_DNS_ERROR,),
    "sts:duplicate_field": (
        N_(
            "The setting “{field}” is given twice in the MTA-STS record or policy file; only the first "
            "counts."
        ),
        N_("A setting is given twice in the MTA-STS record or policy file; only the first counts."),
    ),
    "sts:max_age_short": (
        N_(
            "The MTA-STS policy's max_age is under one day, so senders forget the policy quickly and it "
            "protects little."
        ),
    ),
    "sts:blank_line": (
        N_("The MTA-STS policy file contains a blank line; some senders may stop reading the file there."),
    ),
    "sts:unknown_field": (
        N_("“{field}” is not an MTA-STS or TLS-RPT setting and is ignored; it may be a typo."),
        N_("The record or policy file contains a setting that is ignored; it may be a typo."),
    ),
    "sts:testing_mode": (
        N_(
            "The MTA-STS policy is in testing mode: senders report problems with encrypted delivery but "
            "still deliver, so mail is not yet protected."
        ),
    ),
    "sts:mode_none": (
        N_("The MTA-STS policy is set to mode none, which means it is being withdrawn; it protects nothing."),
    ),
    "sts:no_record": (
        N_(
            "The domain does not use MTA-STS (a rule that makes senders always use checked encryption "
            "when delivering mail to it). It is optional; without it, mail to the domain can be "
            "read or redirected on the way by an attacker."
        ),
    ),
    "sts:tlsrpt_spf_record": (
        N_(
            "An SPF record (v=spf1) was put where the TLS-RPT record belongs (_smtp._tls), so no reports "
            "about failed encrypted deliveries are sent."
        ),
    ),
    "sts:tlsrpt_version": (
        N_(
            "The TLS-RPT record does not start with v=TLSRPTv1, so senders ignore it and send no reports "
            "about failed encrypted deliveries."
        ),
    ),
    "sts:tlsrpt_syntax": (
        N_(
            "The TLS-RPT record is written wrongly at {field}=, so senders ignore it and send no reports "
            "about failed encrypted deliveries."
        ),
        N_(
            "The TLS-RPT record is written wrongly, so senders ignore it and send no reports about "
            "failed encrypted deliveries."
        ),
    ),
    "sts:tlsrpt_missing_rua": (
        N_(
            "The TLS-RPT record has no rua= (where to send the reports), so senders ignore it and send "
            "no reports."
        ),
    ),
    "sts:tlsrpt_invalid_uri": (
        N_(
            "The report address in the TLS-RPT record is not an email address (mailto:) or a web address "
            "(https:), so senders ignore the record and send no reports."
        ),
    ),
    "sts:tlsrpt_duplicate_field": (
        N_("The TLS-RPT record gives {field}= more than once, so senders ignore it and send no reports."),
        N_("The TLS-RPT record gives a setting more than once, so senders ignore it and send no reports."),
    ),
    "sts:tlsrpt_multiple_records": (
        N_("There is more than one TLS-RPT record; senders then use none of them and send no reports."),
    ),
    "sts:tlsrpt_no_record": (
        N_(
            "The domain has no TLS-RPT record (which asks senders to report when encrypted delivery to "
            "it fails), so such failures go unnoticed."
        ),
    ),
    # ------------------------------------------------------------------- spf.py: PolicyIssue
    "spf:no-record": (
        N_(
            "The domain {domain} has no SPF record (the list of servers allowed to send its mail), so "
            "receivers cannot tell its real mail from forged mail and may put it in spam or refuse it."
        ),
        N_(
            "The domain has no SPF record (the list of servers allowed to send its mail), so receivers "
            "cannot tell its real mail from forged mail and may put it in spam or refuse it."
        ),
    ),
    "spf:dns-error": (
        N_(
            "The SPF record of {domain} could not be looked up (the DNS server gave an error or no "
            "answer); receivers that meet this cannot check the sender and may delay the mail."
        ),
        N_(
            "An SPF record could not be looked up (the DNS server gave an error or no answer); "
            "receivers that meet this cannot check the sender and may delay the mail."
        ),
    ),
    "spf:multiple-records": _SPF_MULTIPLE,
    "spf:syntax": _SPF_SYNTAX,
    "spf:too-many-lookups": _SPF_TOO_MANY_LOOKUPS,
    "spf:too-many-void-lookups": _SPF_TOO_MANY_VOID,
    "spf:too-many-mx": _SPF_TOO_MANY_MX,
    "spf:include-loop": _SPF_LOOP,
    "spf:include-without-record": _SPF_INCLUDE_WITHOUT_RECORD,
    "spf:redirect-without-record": _SPF_REDIRECT_WITHOUT_RECORD,
    "spf:pass-all": (
        N_(
            "“{term}” in the SPF record of {domain} lets every server in the world send mail as this "
            "domain, so SPF protects nothing."
        ),
        N_(
            "The SPF record lets every server in the world send mail as this domain, so SPF protects nothing."
        ),
    ),
    "spf:neutral-all": (
        N_(
            "The SPF record ends in ?all, which says nothing about servers not in the list, so mail "
            "forged in the domain's name is not marked."
        ),
    ),
    "spf:no-all": (
        N_(
            "The SPF record does not end with an “all” rule (usually ~all or -all), so it says nothing "
            "about servers not in the list."
        ),
    ),
    "spf:ptr-mechanism": (
        N_(
            "The SPF record of {domain} uses “{term}”, which is slow and unreliable and should no longer "
            "be used; some receivers skip it. Name the servers with ip4:, ip6: or include: instead."
        ),
        N_(
            "The SPF record uses ptr, which is slow and unreliable and should no longer be used; some "
            "receivers skip it. Name the servers with ip4:, ip6: or include: instead."
        ),
    ),
    "spf:p-macro": (
        N_(
            "“{term}” in the SPF record of {domain} uses the p macro, which is slow and unreliable; "
            "receivers may not check it as intended."
        ),
        N_(
            "The SPF record uses the p macro, which is slow and unreliable; receivers may not check it "
            "as intended."
        ),
    ),
    "spf:unreachable-terms": (
        N_(
            "Parts of the SPF record of {domain} come after “{term}” and are never used; anything that "
            "should count must come before it."
        ),
        N_(
            "Parts of the SPF record come after its “all” rule and are never used; anything that should "
            "count must come before it."
        ),
    ),
    # ------------------------------------------------------------------- spf.py: SpfErrorKind (check_host)
    "spf-check:dns-error": (
        N_(
            "While checking SPF, the lookup of {dns_name} ({dns_type}) failed; receivers then answer with "
            "a temporary error and may delay the mail."
        ),
        N_(
            "While checking SPF, a DNS lookup failed; receivers then answer with a temporary error and "
            "may delay the mail."
        ),
    ),
    "spf-check:time-limit": (
        N_(
            "The SPF check took too long because DNS servers on the way answered slowly; receivers may "
            "then delay the mail."
        ),
    ),
    "spf-check:multiple-records": _SPF_MULTIPLE,
    "spf-check:syntax": _SPF_SYNTAX,
    "spf-check:too-many-lookups": _SPF_TOO_MANY_LOOKUPS,
    "spf-check:too-many-void-lookups": _SPF_TOO_MANY_VOID,
    "spf-check:too-many-mx": _SPF_TOO_MANY_MX,
    "spf-check:include-loop": _SPF_LOOP,
    "spf-check:include-without-record": _SPF_INCLUDE_WITHOUT_RECORD,
    "spf-check:redirect-without-record": _SPF_REDIRECT_WITHOUT_RECORD,
    # ------------------------------------------------------------------- spf_record.py: SyntaxIssue
    "spf-syntax:non-ascii": (
        N_(
            "“{term}” in the SPF record of {domain} contains a character that is not plain ASCII (such "
            "as a full-width letter or space), so receivers treat the whole record as broken."
        ),
        N_(
            "The SPF record contains a character that is not plain ASCII (such as a full-width letter "
            "or space), so receivers treat the whole record as broken."
        ),
    ),
    "spf-syntax:unknown-mechanism": (
        N_(
            "“{term}” in the SPF record of {domain} is not a valid SPF term (often a typo), so receivers "
            "treat the whole record as broken."
        ),
        N_(
            "The SPF record contains a term that is not valid SPF (often a typo), so receivers treat "
            "the whole record as broken."
        ),
    ),
    "spf-syntax:missing-argument": (
        N_(
            "“{term}” in the SPF record of {domain} needs a value after the colon (such as "
            "include:_spf.example.jp or ip4:192.0.2.1), so receivers treat the whole record as broken."
        ),
        N_(
            "A term of the SPF record lacks its value after the colon (such as include:_spf.example.jp "
            "or ip4:192.0.2.1), so receivers treat the whole record as broken."
        ),
    ),
    "spf-syntax:unexpected-argument": (
        N_(
            "“{term}” in the SPF record of {domain} has a value or a /number where none is allowed, so "
            "receivers treat the whole record as broken."
        ),
        N_(
            "A term of the SPF record has a value or a /number where none is allowed, so receivers "
            "treat the whole record as broken."
        ),
    ),
    "spf-syntax:bad-domain-spec": (
        N_(
            "The domain name in “{term}” (SPF record of {domain}) is not valid, so receivers treat the "
            "whole record as broken."
        ),
        N_("A domain name in the SPF record is not valid, so receivers treat the whole record as broken."),
    ),
    "spf-syntax:bad-character": (
        N_(
            "“{term}” in the SPF record of {domain} contains a control character (such as a line break "
            "or a tab), so receivers treat the whole record as broken."
        ),
        N_(
            "The SPF record contains a control character (such as a line break or a tab), so receivers "
            "treat the whole record as broken."
        ),
    ),
    "spf-syntax:bad-macro": (
        N_(
            "“{term}” in the SPF record of {domain} contains a % sign that is not a valid SPF macro "
            "(a plain % is written %%), so receivers treat the whole record as broken."
        ),
        N_(
            "The SPF record contains a % sign that is not a valid SPF macro (a plain % is written %%), "
            "so receivers treat the whole record as broken."
        ),
    ),
    "spf-syntax:bad-cidr": (
        N_(
            "The /number in “{term}” (SPF record of {domain}), the size of the address range, is not "
            "valid, so receivers treat the whole record as broken."
        ),
        N_(
            "A /number in the SPF record (the size of an address range) is not valid, so receivers "
            "treat the whole record as broken."
        ),
    ),
    "spf-syntax:bad-ip4": (
        N_(
            "“{term}” in the SPF record of {domain} is not a valid IPv4 address (like ip4:192.0.2.1 or "
            "ip4:192.0.2.0/24), so receivers treat the whole record as broken."
        ),
        N_(
            "An ip4: term of the SPF record is not a valid IPv4 address (like ip4:192.0.2.1 or "
            "ip4:192.0.2.0/24), so receivers treat the whole record as broken."
        ),
    ),
    "spf-syntax:bad-ip6": (
        N_(
            "“{term}” in the SPF record of {domain} is not a valid IPv6 address (like ip6:2001:db8::1), "
            "so receivers treat the whole record as broken."
        ),
        N_(
            "An ip6: term of the SPF record is not a valid IPv6 address (like ip6:2001:db8::1), so "
            "receivers treat the whole record as broken."
        ),
    ),
    "spf-syntax:bad-modifier": (
        N_(
            "“{term}” in the SPF record of {domain} is not a valid name=value setting, so receivers treat "
            "the whole record as broken."
        ),
        N_(
            "A name=value setting in the SPF record is not valid, so receivers treat the whole record as "
            "broken."
        ),
    ),
    "spf-syntax:duplicate-modifier": (
        N_(
            "The SPF record of {domain} gives “{term}” although that setting is already there (redirect= "
            "and exp= may appear only once), so receivers treat the whole record as broken."
        ),
        N_(
            "The SPF record gives redirect= or exp= twice (each may appear only once), so receivers "
            "treat the whole record as broken."
        ),
    ),
    "spf-syntax:empty-modifier": (
        N_(
            "“{term}” in the SPF record of {domain} has nothing after the =, so receivers treat the "
            "whole record as broken."
        ),
        N_(
            "A redirect= or exp= of the SPF record has nothing after the =, so receivers treat the "
            "whole record as broken."
        ),
    ),
    # ------------------------------------------------------------------- spf_record.py: SpfResult (one IP)
    "spf-result:pass": (
        N_("The SPF record of {domain} allows the server {ip} to send its mail."),
        N_("The SPF record allows this server to send the domain's mail."),
    ),
    "spf-result:fail": (
        N_(
            "The SPF record of {domain} does not allow the server {ip} to send its mail, so receivers "
            "refuse mail from it or put it in spam."
        ),
        N_(
            "The SPF record does not allow this server to send the domain's mail, so receivers refuse "
            "mail from it or put it in spam."
        ),
    ),
    "spf-result:softfail": (
        N_(
            "The SPF record of {domain} does not list the server {ip} (~all), so receivers are likely to "
            "put mail from it in spam."
        ),
        N_(
            "The SPF record does not list this server (~all), so receivers are likely to put mail from it "
            "in spam."
        ),
    ),
    "spf-result:neutral": (
        N_(
            "The SPF record of {domain} says neither yes nor no about the server {ip}, so SPF does not "
            "vouch for mail from it."
        ),
        N_(
            "The SPF record says neither yes nor no about this server, so SPF does not vouch for mail "
            "from it."
        ),
    ),
    "spf-result:none": (
        N_(
            "{domain} has no SPF record, so receivers cannot check whether the server {ip} may send its mail."
        ),
        N_("The domain has no SPF record, so receivers cannot check whether this server may send its mail."),
    ),
    "spf-result:permerror": (
        N_(
            "The SPF record of {domain} is broken, so receivers cannot check the server {ip}; many treat "
            "its mail as failing."
        ),
        N_(
            "The SPF record is broken, so receivers cannot check this server; many treat its mail as failing."
        ),
    ),
    "spf-result:temperror": (
        N_(
            "Checking the server {ip} against the SPF record of {domain} met a temporary DNS error; "
            "receivers may delay the mail and try again later."
        ),
        N_(
            "Checking the server against the SPF record met a temporary DNS error; receivers may delay "
            "the mail and try again later."
        ),
    ),
}

PROBLEM_TEXTS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(_TEXTS)


def _as_step(texts: tuple[str, ...]) -> Step:
    """The texts as one knowledge-base step with its plainer stand-ins (most exact first)."""
    step: Step | None = None
    for text in reversed(texts):
        step = Step(text, step)
    assert step is not None
    return step


_STEPS: Final[Mapping[str, Step]] = MappingProxyType({key: _as_step(texts) for key, texts in _TEXTS.items()})


# --------------------------------------------------------------------------- keys, values, rendering


def problem_code(problem: Problem) -> StrEnum:
    """The code a problem's text is chosen by: for SPF, the syntax issue when there is one."""
    if isinstance(problem, PolicyProblem):
        return problem.syntax if problem.syntax is not None else problem.issue
    if isinstance(problem, SpfError):
        return problem.syntax if problem.syntax is not None else problem.kind
    return problem.code


def problem_key(problem: Problem) -> str:
    """``"<kind>:<code value>"`` ("mx:MX_CNAME", "dmarc:no_record", "spf-syntax:bad-ip4").

    A DomainProblem with a code enum this module does not know gets the enum's class name
    as its kind; problem_text finds no text for it.
    """
    code = problem_code(problem)
    return f"{KINDS.get(type(code), type(code).__name__)}:{code.value}"


def problem_values(problem: Problem, translator: Translator) -> dict[str, str]:
    """The values a problem's texts may name, as the reader sees them; empty ones left out.

    DomainProblem params that are message ids (a blocklist's meaning and usage, a WHOIS
    note) are translated, and so are DNS outcomes (knowledge.translate_value).
    """
    raw: Mapping[str, str | None]
    if isinstance(problem, DomainProblem):
        raw = dict(problem.params)
    elif isinstance(problem, DmarcProblem):
        raw = {"tag": problem.tag, "value": problem.value}
    elif isinstance(problem, DkimProblem):
        raw = {"selector": problem.selector, "tag": problem.tag}
    elif isinstance(problem, StsProblem):
        raw = {"field": problem.field}
    elif isinstance(problem, PolicyProblem):
        raw = {"domain": problem.domain, "term": problem.term}
    else:
        raw = {
            "domain": problem.domain,
            "term": problem.term,
            "dns_name": problem.dns_name,
            "dns_type": problem.dns_type,
        }
    values: dict[str, str] = {}
    for name, value in raw.items():
        if not value:
            continue
        if isinstance(problem, DomainProblem) and name in _MESSAGE_PARAMS:
            values[name] = translator.gettext(value)
        elif isinstance(problem, DomainProblem):
            values[name] = translate_value(name, value, translator)
        else:
            values[name] = value
    return values


def problem_text(key: str, values: Mapping[str, str], translator: Translator) -> str | None:
    """The first text of `key` whose placeholders all have values, translated and filled in.

    None for a key without texts; for a known key never None (its last text has no
    placeholder).
    """
    step = _STEPS.get(key)
    return None if step is None else render_step(step, values, translator)


def render_problem(problem: Problem, translator: Translator) -> str | None:
    """A problem's sentence in the translator's language; None when its code has no text."""
    return problem_text(problem_key(problem), problem_values(problem, translator), translator)


__all__ = [
    "KINDS",
    "PROBLEM_TEXTS",
    "Problem",
    "problem_code",
    "problem_key",
    "problem_text",
    "problem_values",
    "render_problem",
]
