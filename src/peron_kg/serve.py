"""``serve``: the N-Quads dump behind Oxigraph's read-only SPARQL server, on loopback.

The dump is loaded with ``oxigraph load`` into a store folder (by default
``.oxigraph-store/`` beside ``dist/``, not committed), and ``oxigraph serve-read-only`` answers
queries over it as a child process. Loading happens only when the dump changed: the store
keeps a stamp with the dump's SHA-256, so building twice (same bytes) does not reload. A new
store is loaded into a temporary folder and then swapped in whole, so a failed load leaves the
previous store as it was.

A lock file beside the store is held shared by every running server and exclusively while the
store is replaced, so a rebuild never pulls the files from under a running server.

Oxigraph's server answers ``SERVICE`` clauses by calling the named host itself, whatever it
is; bound to loopback only local users can make it do so (README, "Serving and publishing").
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, ServerError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT_S = 30
DUMP_NAME = "peron-kg.nq"
STORE_NAME = ".oxigraph-store"
STAMP_NAME = "peron-kg-stamp.json"
#: How long ``oxigraph load`` may take; the article's dump loads in well under a second.
LOAD_TIMEOUT_S = 600
#: How long a server gets to exit after SIGTERM before it is killed.
STOP_GRACE_S = 5.0


@dataclass(frozen=True)
class PreparedStore:
    path: Path
    #: whether the dump was (re)loaded, or the store was already current
    loaded: bool
    quads: int
    sha256: str


def oxigraph_binary() -> str:
    """The ``oxigraph`` server binary (PyPI ``oxigraph``): beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServerError("the oxigraph server binary is not installed (pip install oxigraph)")
    return found


def oxigraph_version(binary: str) -> str:
    done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    return done.stdout.strip()


def default_store(dist: Path) -> Path:
    """The store folder for a ``dist/``: beside it, hidden, so it is never shipped with dist/.

    >>> default_store(Path("/p/dist"))
    PosixPath('/p/.oxigraph-store')
    """
    return Path(dist).absolute().parent / STORE_NAME


def read_stamp(store_dir: Path) -> dict:
    """The stamp a complete load left in the store, or ``{}``."""
    try:
        stamp = json.loads((Path(store_dir) / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return stamp if isinstance(stamp, dict) else {}


def count_quads(dump: Path) -> int:
    """Distinct statements of an N-Quads file written one a line, as ``build`` writes it."""
    with open(dump, "rb") as f:
        # Hashes, not lines: a corpus-sized dump need not be held in memory twice.
        return len({hash(line.strip()) for line in f
                    if line.strip() and not line.startswith(b"#")})


@contextlib.contextmanager
def store_lock(store_dir: Path, exclusive: bool, wait: bool = False) -> Iterator[None]:
    """Hold the lock beside ``store_dir``: shared while serving, exclusive while replacing.

    The lock file sits beside the store, not in it, because the store folder itself is
    replaced. Without ``fcntl`` (Windows) there is no lock.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        yield
        return
    store_dir = Path(store_dir).absolute()
    lock_path = store_dir.parent / f"{store_dir.name}.lock"
    try:
        store_dir.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise ServerError(f"{lock_path}: cannot open the store's lock ({e.strerror})") from None
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(fd, mode if wait else mode | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServerError(
                f"{store_dir}: a running server uses this store; stop it before the store is "
                "reloaded, or give another --store"
            ) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def prepare_store(dump: Path, store_dir: Path, binary: str | None = None) -> PreparedStore:
    """Load ``dump`` into ``store_dir`` unless the store already holds exactly this dump.

    Returns the store and whether it was loaded. ``oxigraph load`` reports a malformed file
    on stderr but still exits 0, so the load is checked by counting the quads in the store.
    """
    dump, store_dir = Path(dump), Path(store_dir).absolute()
    if not dump.is_file():
        raise InputError(f"{dump}: no N-Quads dump to serve; run `peron-kg build` first")
    binary = binary or oxigraph_binary()
    from .sourcetext import sha256_file

    digest = sha256_file(dump)
    version = oxigraph_version(binary)
    stamp = read_stamp(store_dir)
    if stamp.get("sha256") == digest and stamp.get("oxigraph") == version:
        return PreparedStore(store_dir, False, int(stamp.get("quads", 0)), digest)
    # The store is replaced whole, so a folder that is not one (a mistyped --store) must not be.
    if store_dir.exists() and not stamp and (not store_dir.is_dir() or any(store_dir.iterdir())):
        raise ServerError(f"{store_dir}: exists and is not a store peron-kg loaded (no "
                          f"{STAMP_NAME}); not replacing it; give a new or empty --store")
    from .atomic import atomic_directory

    expected = count_quads(dump)
    with store_lock(store_dir, exclusive=True), atomic_directory(store_dir) as tmp:
        try:
            done = subprocess.run(
                [binary, "load", "--location", str(tmp), "--file", str(dump)],
                capture_output=True, text=True, timeout=LOAD_TIMEOUT_S,
            )
        except subprocess.TimeoutExpired:
            raise ServerError(f"{dump}: oxigraph load took over {LOAD_TIMEOUT_S} s") from None
        problems = [line for line in done.stderr.splitlines()
                    if line.startswith(("Error", "Failed", "Parsing error"))]
        if done.returncode != 0 or problems:
            why = (problems or done.stderr.strip().splitlines() or ["no message"])[-1]
            raise ServerError(f"{dump}: oxigraph load failed (status {done.returncode}): {why}")
        loaded = stored_quads(tmp, binary)
        if loaded != expected:
            raise ServerError(f"{dump}: oxigraph loaded {loaded} of its {expected} quads")
        (tmp / STAMP_NAME).write_text(json.dumps(
            {"dump": str(dump.absolute()), "sha256": digest, "quads": loaded,
             "oxigraph": version}, indent=2) + "\n", encoding="utf-8")
    return PreparedStore(store_dir, True, loaded, digest)


def stored_quads(store_dir: Path, binary: str) -> int:
    """How many quads a store folder holds, asked of the same ``oxigraph`` that loaded it."""
    query = "SELECT (COUNT(*) AS ?n) { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    done = subprocess.run(
        [binary, "query", "--location", str(store_dir), "--query", query,
         "--results-format", "tsv"],
        capture_output=True, text=True, timeout=LOAD_TIMEOUT_S,
    )
    lines = done.stdout.split()
    if done.returncode != 0 or len(lines) < 2:
        raise ServerError(f"{store_dir}: cannot count the loaded quads: {done.stderr.strip()}")
    return int(lines[-1].split("^^")[0].strip('"'))


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine.

    >>> [is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "192.168.1.2")]
    [True, True, True, False, False]
    """
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def bind_address(host: str, port: int) -> str:
    """``HOST:PORT`` as Oxigraph's ``--bind`` takes it (IPv6 in brackets).

    >>> bind_address("127.0.0.1", 7878), bind_address("::1", 7878)
    ('127.0.0.1:7878', '[::1]:7878')
    """
    host = host.strip("[]")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def endpoint_url(host: str, port: int) -> str:
    """The query URL to use from this machine; a wildcard bind is reached over loopback.

    >>> endpoint_url("127.0.0.1", 7878), endpoint_url("0.0.0.0", 80), endpoint_url("::", 80)
    ('http://127.0.0.1:7878/query', 'http://127.0.0.1:80/query', 'http://[::1]:80/query')
    """
    host = host.strip("[]")
    if host == "0.0.0.0":
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://{bind_address(host, port)}/query"


def start_server(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                 timeout_s: int = DEFAULT_TIMEOUT_S, log: Path | None = None,
                 binary: str | None = None) -> subprocess.Popen:
    """Start ``oxigraph serve-read-only`` on a prepared store; its output goes to ``log``."""
    binary = binary or oxigraph_binary()
    args = [binary, "serve-read-only", "--location", str(store_dir),
            "--bind", bind_address(host, port), "--union-default-graph",
            "--timeout-s", str(int(timeout_s))]
    out = open(log, "wb") if log is not None else subprocess.DEVNULL
    try:
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
    except OSError as e:
        raise ServerError(f"{binary}: cannot start ({e.strerror})") from None
    finally:
        if log is not None:
            out.close()  # the child holds its own copy


def _last_line(log: Path | None) -> str:
    """The line of the server's log that says what went wrong, for a one-line message.

    Oxigraph writes ``Error: …`` and then, with RUST_BACKTRACE set, a backtrace; the error
    line is the useful one.
    """
    if log is None:
        return ""
    try:
        lines = Path(log).read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    errors = [line.strip() for line in lines if line.startswith("Error")]
    return f": {(errors or lines)[-1].strip()}" if lines else ""


def answers(url: str, timeout: float = 2.0) -> bool:
    """Whether a SPARQL endpoint on this machine answers ``ASK {}``."""
    import urllib.error
    import urllib.parse
    import urllib.request

    request = urllib.request.Request(
        url + "?" + urllib.parse.urlencode({"query": "ASK {}"}),
        headers={"Accept": "application/sparql-results+json"},
    )
    # An empty ProxyHandler: the server is on this machine, and a proxy named in the
    # environment must not see (or swallow) the request.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def wait_until_ready(url: str, timeout: float = 20.0, proc: subprocess.Popen | None = None,
                     log: Path | None = None) -> float:
    """Poll ``url`` until it answers; returns the seconds it took.

    Gives up after ``timeout`` seconds, or at once if ``proc`` exits (a port in use, a store
    that cannot be opened), with the last line of its log.
    """
    start = time.monotonic()
    deadline = start + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise ServerError(f"oxigraph exited with status {proc.returncode} before answering "
                              f"at {url}{_last_line(log)}")
        if answers(url, timeout=min(2.0, max(0.1, deadline - time.monotonic()))):
            return time.monotonic() - start
        if time.monotonic() >= deadline:
            raise ServerError(f"oxigraph did not answer at {url} within {timeout:g} s"
                              f"{_last_line(log)}")
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen, grace: float = STOP_GRACE_S) -> int | None:
    """SIGTERM the server, wait ``grace`` seconds, then SIGKILL it; returns its exit status."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(timeout=grace)
    return proc.returncode


class Stop(Exception):
    """Raised in the main thread by SIGTERM, so that it unwinds like Ctrl-C does."""


def _raise_stop(signum, frame):
    raise Stop(signal.Signals(signum).name)


@contextlib.contextmanager
def _signal(signum: int, handler) -> Iterator[None]:
    """Install a handler for the block, in the main thread only (elsewhere Python forbids it)."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signum, handler)
    try:
        yield
    finally:
        signal.signal(signum, previous if previous is not None else signal.SIG_DFL)


def serve_until_stopped(store_dir: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                        timeout_s: int = DEFAULT_TIMEOUT_S, log: Path | None = None,
                        on_ready=None, ready_timeout: float = 30.0) -> bool:
    """Run the server until Ctrl-C or SIGTERM, then stop it; no child is left running.

    ``on_ready(proc, url)`` is called once the server answers. Returns True when a signal
    stopped it, False when the server exited by itself.
    """
    url = endpoint_url(host, port)
    # Without a handler SIGTERM would end Python at once and leave the child running.
    with _signal(signal.SIGTERM, _raise_stop):
        proc = start_server(store_dir, host, port, timeout_s, log=log)
        try:
            wait_until_ready(url, timeout=ready_timeout, proc=proc, log=log)
            if on_ready is not None:
                on_ready(proc, url)
            proc.wait()
            # Ctrl-C in a terminal signals the whole process group, so the child may stop
            # before this process sees its own KeyboardInterrupt.
            return proc.returncode in (-signal.SIGINT, -signal.SIGTERM)
        except (KeyboardInterrupt, Stop):
            return True
        finally:
            # A second Ctrl-C must not interrupt the stop and leave an orphan.
            with _signal(signal.SIGINT, signal.SIG_IGN):
                stop_server(proc)
