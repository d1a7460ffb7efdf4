"""A tiny IMAP4rev1 server on loopback: LOGIN, EXAMINE/SELECT, UID SEARCH, UID FETCH, LOGOUT.

Enough for imaplib and for checking UID bookkeeping; it records every command, so a test can
assert the hub never stored flags or expunged anything."""

from __future__ import annotations

import re
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class FakeMailbox:
    uidvalidity: int = 1
    messages: dict[int, bytes] = field(default_factory=dict)  # uid -> raw mail
    commands: list[str] = field(default_factory=list)
    password: str = "imap-secret"

    def add(self, uid: int, data: bytes) -> None:
        self.messages[uid] = data


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def send(self, line: str | bytes) -> None:
        self.wfile.write(line if isinstance(line, bytes) else line.encode())

    def handle(self) -> None:
        box = self.server.box
        self.send("* OK [CAPABILITY IMAP4rev1] fake ready\r\n")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\r\n")
            tag, _, rest = line.partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "UID":
                sub, _, args = args.partition(" ")
                command = f"UID {sub.upper()}"
            box.commands.append(command if command != "LOGIN" else "LOGIN")
            if command == "CAPABILITY":
                self.send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n")
            elif command == "LOGIN":
                ok = args.split(" ", 1)[-1].strip('"') == box.password
                self.send(f"{tag} OK logged in\r\n" if ok else f"{tag} NO [AUTHENTICATIONFAILED] bad login\r\n")
            elif command in ("EXAMINE", "SELECT"):
                self.send(f"* {len(box.messages)} EXISTS\r\n* OK [UIDVALIDITY {box.uidvalidity}] ok\r\n"
                          f"{tag} OK [READ-ONLY] done\r\n")
            elif command == "UID SEARCH":
                match = re.search(r"UID (\d+):\*", args)
                start = int(match.group(1)) if match else 1
                uids = sorted(u for u in box.messages if u >= start)
                if not uids and box.messages:  # RFC 3501: n:* always includes the highest UID
                    uids = [max(box.messages)]
                self.send(f"* SEARCH {' '.join(map(str, uids))}\r\n{tag} OK done\r\n")
            elif command == "UID FETCH":
                uid = int(args.split(" ", 1)[0])
                data = box.messages.get(uid)
                if data is not None:
                    seq = sorted(box.messages).index(uid) + 1
                    self.send(f"* {seq} FETCH (UID {uid} BODY[] {{{len(data)}}}\r\n".encode() + data + b")\r\n")
                self.send(f"{tag} OK done\r\n")
            elif command == "LOGOUT":
                self.send(f"* BYE\r\n{tag} OK bye\r\n")
                return
            else:
                self.send(f"{tag} BAD not in this fake\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    box: FakeMailbox


class FakeImapServer:
    def __init__(self, box: FakeMailbox) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.box = box
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> FakeImapServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
