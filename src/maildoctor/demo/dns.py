"""A tiny DNS server for the demo: the demo's names on 127.0.0.1, NXDOMAIN for everything else.

The diagnosis resolves every host name through the DNS servers it is given (--dns /
CheckRequest.nameservers). Offline there is no DNS at all, so the demo answers its own names:
dnspython builds the answers (dns.message.make_response), asyncio serves them over UDP and TCP on
one loopback port. A name of the zone without data of the asked type gets an empty answer with
the zone's SOA (NODATA), as an authoritative server gives it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

from maildoctor.demo import LOOPBACK

TTL = 60


@dataclass(frozen=True)
class DemoZone:
    """names (without the final dot) -> record type -> record data, like "A": ("127.0.0.1",)."""

    records: Mapping[str, Mapping[str, Sequence[str]]]

    def lookup(self, name: str) -> Mapping[str, Sequence[str]] | None:
        return self.records.get(name.lower().rstrip("."))


def _soa(name: dns.name.Name) -> dns.rrset.RRset:
    # the apex is taken as the last two labels: every demo domain is a registered name under .test
    apex = dns.name.Name(name.labels[-3:]) if len(name.labels) >= 3 else name
    return dns.rrset.from_text(apex, TTL, "IN", "SOA", f"ns.{apex} hostmaster.{apex} 1 3600 600 86400 {TTL}")


def answer(zone: DemoZone, wire: bytes) -> bytes | None:
    """The reply to one query in wire format; None for a message that is not a query (dropped)."""
    try:
        query = dns.message.from_wire(wire)
    except dns.exception.DNSException:
        return None
    if query.flags & dns.flags.QR:
        return None
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA | dns.flags.RA
    for question in query.question:
        data = zone.lookup(question.name.to_text(omit_final_dot=True))
        if data is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(_soa(question.name))
            continue
        rdtype = dns.rdatatype.to_text(question.rdtype)
        values = data.get(rdtype, ())
        if question.rdclass != dns.rdataclass.IN or not values:
            response.authority.append(_soa(question.name))
            continue
        response.answer.append(dns.rrset.from_text_list(question.name, TTL, "IN", rdtype, list(values)))
    return response.to_wire()


class _UdpServer(asyncio.DatagramProtocol):
    def __init__(self, zone: DemoZone) -> None:
        self.zone = zone
        self.transport: asyncio.DatagramTransport | None = None

    def datagram_received(self, data: bytes, addr: tuple[str | int, int]) -> None:
        reply = answer(self.zone, data)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


async def _serve_tcp_client(
    zone: DemoZone, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            (length,) = struct.unpack("!H", await reader.readexactly(2))
            reply = answer(zone, await reader.readexactly(length))
            if reply is None:
                break
            writer.write(struct.pack("!H", len(reply)) + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def _bound_pair(host: str) -> tuple[socket.socket, socket.socket]:
    """A UDP and a TCP socket bound to the same free port (tried again when TCP finds it taken)."""
    for _ in range(50):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind((host, 0))
        tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            tcp.bind((host, udp.getsockname()[1]))
        except OSError:
            udp.close()
            tcp.close()
            continue
        return udp, tcp
    raise OSError("no port is free for both UDP and TCP")


@contextlib.asynccontextmanager
async def serve_dns(zone: DemoZone, host: str = LOOPBACK) -> AsyncIterator[int]:
    """Serve the zone on host over UDP and TCP until the block ends; yields the port."""
    loop = asyncio.get_running_loop()
    udp_socket, tcp_socket = _bound_pair(host)
    port: int = udp_socket.getsockname()[1]
    transport, protocol = await loop.create_datagram_endpoint(lambda: _UdpServer(zone), sock=udp_socket)
    protocol.transport = transport
    try:

        async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await _serve_tcp_client(zone, reader, writer)

        server = await asyncio.start_server(client, sock=tcp_socket)
        try:
            yield port
        finally:
            server.close()
            await server.wait_closed()
    finally:
        transport.close()
