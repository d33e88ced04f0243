"""Read and check the knowledge base in a child process with a memory and a time limit (used by reloads).

A reload happens while the bot serves. Knowledge files are untrusted, and the loader's limits bound the work
they can cause, but a child process is the guarantee: nothing in a file can stall the event loop, hold the
GIL or take the bot's memory. Past a limit the child is stopped and the reload fails with one problem.
The child sends back the validated knowledge base (plain frozen dataclasses) and the parent indexes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

from bot.engine.loader import KnowledgeBaseError, Problem, clip, validate
from bot.engine.models import KnowledgeBase

MEMORY_LIMIT_BYTES = 1 << 30  # address space of the child; reading the shipped knowledge base peaks near 60 MB
TIME_LIMIT_SECONDS = 30.0  # the shipped knowledge base takes about 0.3 s, interpreter start included
# The child imports this package from where the parent found it, however the bot was started.
_CHILD = ("import sys; sys.path.insert(0, sys.argv.pop(1)); from bot.engine.isolated_load import main; "
          "raise SystemExit(main(sys.argv[1:]))")


@dataclass(frozen=True)
class ChildLoad:
    kb: KnowledgeBase | None  # None when there are problems
    problems: list[Problem]
    peak_mb: float  # the child's peak resident memory


async def load_in_child(kb_dir: Path, *, memory_limit: int = MEMORY_LIMIT_BYTES,
                        time_limit: float = TIME_LIMIT_SECONDS) -> ChildLoad:
    """What the child read and every problem it found; raises KnowledgeBaseError (one problem) when the child
    passed its time or memory limit or failed."""
    where = str(kb_dir)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CHILD, str(Path(__file__).resolve().parents[2]), str(kb_dir), str(memory_limit),
        str(int(time_limit) + 1), stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},  # one thread: less memory
    )
    try:
        output, errors = await asyncio.wait_for(process.communicate(), time_limit)
    except TimeoutError:
        raise KnowledgeBaseError([Problem(where, 0, "", f"reading the knowledge base took longer than {time_limit:g} s; "
                                          "stopped (see the limits in knowledge/README.md)")]) from None
    finally:
        if process.returncode is None:  # timed out or the reload was cancelled: never leave the child running
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    if process.returncode != 0 or not output:
        last = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
        raise KnowledgeBaseError([Problem(where, 0, "", f"reading the knowledge base failed: {clip(last[0], 200)}")])
    return ChildLoad(*pickle.loads(output))  # written by main() below, in our own child: trusted


def _peak_mb(resource) -> float:
    """This process's peak resident memory. Linux keeps ru_maxrss across execve, so in a child forked from a large
    parent it reports the parent's size; VmHWM belongs to the new address space alone."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if resource is not None else 0.0


def main(argv: list[str]) -> int:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the parent's timer still stops a runaway child
        resource = None
    kb_dir, memory_limit, cpu_seconds = Path(argv[0]), int(argv[1]), int(argv[2])
    if resource is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))  # the parent's timer is the first stop
    try:
        kb, problems = validate(kb_dir)
    except MemoryError:
        kb, problems = None, [Problem(str(kb_dir), 0, "", f"reading the knowledge base needed more than "
                                      f"{memory_limit / 2**20:,.0f} MiB; stopped (see the limits in knowledge/README.md)")]
    peak_mb = _peak_mb(resource)
    sys.stdout.buffer.write(pickle.dumps((None if problems else kb, problems, peak_mb), protocol=pickle.HIGHEST_PROTOCOL))
    return 0
