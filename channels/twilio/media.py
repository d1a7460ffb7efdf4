"""Downloading inbound media from Twilio, and nothing else.

A media URL arrives inside a signed webhook, but the hub still fetches only from Twilio's media hosts,
never from an address in loopback, private or link-local space (checked before connecting and again
by the connector's resolver, so a name that re-resolves elsewhere is caught too), sends the account
credentials only to the host Twilio named, and stops reading at the size limit.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import mimetypes
import socket
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

from channels.base import Attachment, ChannelHost
from channels.twilio.settings import TwilioSettings

log = logging.getLogger(__name__)

MAX_REDIRECTS = 3
CHUNK = 64 * 1024


class MediaRefused(Exception):
    """The media was not downloaded; `reason` finishes the sentence "The attachment was not kept: …"."""

    def __init__(self, reason: str, size: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.size = size


@dataclass(frozen=True)
class MediaRef:
    url: str
    content_type: str


def host_allowed(host: str, patterns: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    for pattern in patterns:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]):
                return True
        elif host == pattern:
            return True
    return False


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class PrivateAddress(OSError):
    pass


class GuardedResolver(AbstractResolver):
    """Resolves like the default, but refuses names that point into private or local space."""

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
                      ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        for result in results:
            if not is_public(result["host"]):
                raise PrivateAddress(f"{host} resolves to the non-public address {result['host']}")
        return results

    async def close(self) -> None:
        await self._inner.close()


class MediaFetcher:
    def __init__(self, settings: TwilioSettings, max_bytes: int) -> None:
        self.settings = settings
        self.max_bytes = max_bytes
        self._auth = aiohttp.encode_basic_auth(settings.account_sid, settings.auth_token)
        # Created here, inside the running loop; tests opt out of the address guard for their fake.
        connector = aiohttp.TCPConnector(resolver=None if settings.media_allow_private else GuardedResolver(),
                                         use_dns_cache=False)
        self._session = aiohttp.ClientSession(connector=connector,
                                              timeout=aiohttp.ClientTimeout(total=120, sock_connect=10))

    async def close(self) -> None:
        await self._session.close()

    async def check_destination(self, url: URL) -> None:
        host = url.raw_host or ""
        allowed_schemes = ("https", "http") if self.settings.media_allow_private else ("https",)
        if url.scheme not in allowed_schemes or not host:
            raise MediaRefused(f"its address {str(url)[:200]!r} is not an https URL")
        if not host_allowed(host, self.settings.media_hosts):
            raise MediaRefused(f"{host} is not one of Twilio's media hosts")
        if self.settings.media_allow_private:
            return
        try:
            addresses = [host] if _is_ip(host) else [
                info[4][0] for info in await asyncio.get_running_loop().getaddrinfo(
                    host, url.port, type=socket.SOCK_STREAM)]
        except socket.gaierror as exc:
            raise MediaRefused(f"{host} could not be resolved ({exc.strerror})") from exc
        for address in addresses:
            if not is_public(str(address)):
                raise MediaRefused(f"{host} points at the non-public address {address}")

    async def fetch(self, raw_url: str) -> tuple[bytes, str]:
        """(content, content type); MediaRefused with a readable reason otherwise."""
        try:
            url = URL(raw_url)
        except ValueError as exc:
            raise MediaRefused("its address is not a URL") from exc
        origin = url.origin() if url.absolute else None
        for _ in range(MAX_REDIRECTS + 1):
            await self.check_destination(url)
            headers = {"Authorization": self._auth} if url.origin() == origin else {}
            try:
                async with self._session.get(url, headers=headers, allow_redirects=False) as response:
                    if response.status in (301, 302, 303, 307, 308) and "Location" in response.headers:
                        url = url.join(URL(response.headers["Location"]))
                        continue
                    if response.status != 200:
                        raise MediaRefused(f"Twilio answered HTTP {response.status} when it was downloaded")
                    return await self._read_capped(response), response.content_type
            except aiohttp.ClientConnectorError as exc:
                if isinstance(exc.os_error, PrivateAddress):
                    raise MediaRefused(str(exc.os_error)) from exc
                raise MediaRefused(f"Twilio could not be reached to download it ({exc.os_error})") from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise MediaRefused(f"the download from Twilio failed ({type(exc).__name__})") from exc
        raise MediaRefused("Twilio redirected the download too many times")

    async def _read_capped(self, response: aiohttp.ClientResponse) -> bytes:
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise MediaRefused(self._too_large(declared), size=declared)
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.content.iter_chunked(CHUNK):
            total += len(chunk)
            if total > self.max_bytes:
                raise MediaRefused(self._too_large(None), size=total)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, size: int | None) -> str:
        limit = _human(self.max_bytes)
        if size is None:
            return f"it is over the {limit} limit; it is still in the Twilio console"
        return f"it is over the {limit} limit ({size:,} bytes); it is still in the Twilio console"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _human(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size / 1000:.1f} kB"


def filename_for(message_sid: str, index: int, content_type: str) -> str:
    extension = mimetypes.guess_extension(content_type.split(";")[0].strip()) or ""
    return f"{message_sid}-{index}{extension}"


async def download_all(host: ChannelHost, fetcher: MediaFetcher, message_sid: str, refs: list[MediaRef]
                       ) -> list[Attachment]:
    """Each media item stored by the hub, or kept as a visible note saying why it was not."""
    kept: list[Attachment] = []
    for index, ref in enumerate(refs):
        name = filename_for(message_sid, index, ref.content_type)
        try:
            data, served_type = await fetcher.fetch(ref.url)
        except MediaRefused as exc:
            log.warning("twilio media not kept message=%s index=%d reason=%s", message_sid, index, exc.reason)
            kept.append(Attachment(name, ref.content_type, exc.size, refused_reason=exc.reason))
            continue
        # Twilio's webhook names the type it stored; the download's header may be generic.
        content_type = ref.content_type or served_type or "application/octet-stream"
        file_id = await host.store_file(data, name, content_type,
                                        {"channel": "twilio", "message_sid": message_sid, "index": index})
        kept.append(Attachment(name, content_type, len(data), file_id=file_id))
    return kept
