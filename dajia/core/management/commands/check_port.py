"""``manage.py check_port HOST PORT``: stop ``make run`` before anything says "ready" when the port is taken.

Why: runserver reports a taken port only after the migrations, the demo data and the ready banner with the logins
have been printed, so a presenter reads "ready" and then finds the old server (or another program) answering.
This binds the address the way runserver will (SO_REUSEADDR, so a port left in TIME_WAIT by the last run is
free) and closes it at once; it exits 1 with a message in Chinese and English when the bind fails.
"""

from __future__ import annotations

import socket

from django.core.management.base import BaseCommand, CommandError


def port_problem(host: str, port: int) -> str | None:
    """Why ``host``:``port`` cannot be bound now, or None when it can."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"无法解析地址 {host} / cannot resolve {host}: {error.strerror}"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as error:
            return error.strerror or str(error)
    return None


class Command(BaseCommand):
    help = "检查端口是否可用 / Check that the server's port is free before starting"
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("host")
        parser.add_argument("port", type=int)

    def handle(self, *args, host: str, port: int, **options):
        problem = port_problem(host, port)
        if problem:
            raise CommandError(
                f"端口 {port} 已被占用或无法使用（{host}:{port}：{problem}）。请先停止占用它的程序"
                f"（例如另一个 make run），或换一个端口：make run PORT={port + 1}\n"
                f"Port {port} is in use or unavailable ({host}:{port}: {problem}). Stop the program holding it "
                f"(another make run, say) or choose another port: make run PORT={port + 1}",
                returncode=1,
            )
