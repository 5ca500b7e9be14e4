"""Where each setting lives in the person's own mail program (issue 7).

The knowledge is data (`maildoctor/data/clients/*.toml`, read and checked by
`catalog`); `render` turns it into one line per step, in Japanese or English:

    from maildoctor.clients import ClientField, field_step, resolve_client
    client = resolve_client("iPhone")
    field_step(client, ClientField.OUTGOING_PORT, "ja", value="587")
"""

from __future__ import annotations

from maildoctor.clients.catalog import ClientDataError, load_client, load_clients, parse_client
from maildoctor.clients.model import (
    Client,
    ClientField,
    ClientId,
    ClientProfile,
    ClientVersion,
    Confirmed,
    FieldEntry,
    Lang,
    SecurityChoice,
    client_id,
)
from maildoctor.clients.render import (
    COMMON_CLIENTS,
    UnsupportedField,
    client_of_message_client,
    field_note,
    field_step,
    how_to_find,
    resolve_client,
    security_words,
    unsupported_reason,
)

__all__ = [
    "COMMON_CLIENTS",
    "Client",
    "ClientDataError",
    "ClientField",
    "ClientId",
    "ClientProfile",
    "ClientVersion",
    "Confirmed",
    "FieldEntry",
    "Lang",
    "SecurityChoice",
    "UnsupportedField",
    "client_id",
    "client_of_message_client",
    "field_note",
    "field_step",
    "how_to_find",
    "load_client",
    "load_clients",
    "parse_client",
    "resolve_client",
    "security_words",
    "unsupported_reason",
]
