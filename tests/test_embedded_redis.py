"""The embedded Redis (``leadcapture serve``'s default) is reached over a Unix
socket in its data directory, and still over TCP."""

from __future__ import annotations

from pathlib import Path

from redis import Redis

from capture.embedded_redis import EmbeddedRedis


def test_clients_use_the_unix_socket_and_tcp_still_answers(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis").start()
    try:
        assert server.url == f"unix://{tmp_path / 'redis' / 'redis.sock'}?db=0"
        over_socket = Redis.from_url(server.url)
        over_socket.set("k", "v")
        assert Redis.from_url(server.tcp_url).get("k") == b"v"
        assert (tmp_path / "redis" / "redis.sock").stat().st_mode & 0o777 == 0o700
    finally:
        server.stop()


def test_a_data_directory_too_deep_for_a_socket_path_falls_back_to_tcp(tmp_path: Path) -> None:
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    server = EmbeddedRedis(deep).start()
    try:
        assert server.url == server.tcp_url == f"redis://127.0.0.1:{server.port}/0"
        assert Redis.from_url(server.url).ping()
        assert not (deep / "redis.sock").exists()
    finally:
        server.stop()
