"""The checks running or just done, and the stream of what each has finished so far.

A job runs `diagnose.run_check` — the CLI's runner and network seam — with a progress callback;
every finished step becomes an event (already rendered, in the page's language) that any number
of listeners replay from the start and then wait for. The password lives only in the request
while the check runs: the job keeps the report, the facts and the transcript, never the request.
Finished jobs are forgotten after `keep_seconds`; at most `max_jobs` are kept.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Final

from maildoctor.check_request import CheckRequest
from maildoctor.diagnose import run_check
from maildoctor.facts import DiagnosisFacts
from maildoctor.model import Report, ServerRole, leak_forms
from maildoctor.web.transcript import masked

KEEPALIVE_SECONDS: Final = 10.0


@dataclass(frozen=True, slots=True)
class Event:
    name: str  # "step", "picture", "answer"
    data: str  # HTML (escaped by its template)


@dataclass
class Job:
    id: str
    address: str
    client: str | None
    pasted: str  # the error message the person pasted (no password: the form says so; masked too)
    started: float
    steps: list[tuple[str, str, bool]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    report: Report | None = None
    facts: DiagnosisFacts | None = None
    transcript: str = ""
    failed: bool = False  # the diagnosis itself could not run
    finished: float | None = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def done(self) -> bool:
        return self.finished is not None

    def add(self, event: Event) -> None:
        self.events.append(event)
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def stream(self) -> AsyncIterator[Event | None]:
        """Every event from the first, then each new one as it comes; None now and then while
        nothing happens (a keep-alive), until the job is done."""
        index = 0
        while True:
            changed = self._changed
            while index < len(self.events):
                index += 1
                yield self.events[index - 1]
            if self.done:
                return
            try:
                await asyncio.wait_for(changed.wait(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield None


# what the page makes of a job as it goes: a finished step, the picture so far, the answer
Renderer = Callable[[Job], str]


@dataclass(frozen=True)
class Renderers:
    step: Callable[[Job, tuple[str, str, bool]], str]
    picture: Renderer
    answer: Renderer
    transcript: Callable[[Job, frozenset[str]], str]


class JobStore:
    def __init__(self, keep_seconds: float = 900.0, max_jobs: int = 200) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()
        self._keep = keep_seconds
        self._max = max_jobs

    def get(self, job_id: str) -> Job | None:
        self._expire()
        return self._jobs.get(job_id)

    def _expire(self) -> None:
        now = time.monotonic()
        for job_id, job in list(self._jobs.items()):
            if job.finished is not None and now - job.finished > self._keep:
                del self._jobs[job_id]
        while len(self._jobs) > self._max:
            oldest = next((key for key, job in self._jobs.items() if job.done), None)
            if oldest is None:
                break
            del self._jobs[oldest]

    def new_job(self, request: CheckRequest, pasted: str) -> Job:
        self._expire()
        job = Job(secrets.token_urlsafe(16), request.address, request.client, pasted, time.monotonic())
        self._jobs[job.id] = job
        return job

    def start(self, job: Job, request: CheckRequest, renderers: Renderers) -> None:
        """Runs the check in the background (the caller answers at once)."""
        task = asyncio.get_running_loop().create_task(run_job(job, request, renderers))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def run_job(job: Job, request: CheckRequest, renderers: Renderers) -> None:
    """The check, its steps as events as they finish, then the answer."""
    forms = leak_forms(request.password, (request.user,)) if request.password else frozenset()

    def progress(role: ServerRole, step: str, passed: bool) -> None:
        entry = (role.value, step, passed)
        job.steps.append(entry)
        job.add(Event("step", renderers.step(job, entry)))
        job.add(Event("picture", renderers.picture(job)))

    try:
        job.report, job.facts = await run_check(dataclasses.replace(request, progress=progress))
    except (OSError, ValueError):
        job.failed = True
    del request  # the password goes with it
    if job.report is not None and job.facts is not None:
        job.transcript = renderers.transcript(job, forms)
    job.pasted = masked(job.pasted, forms)
    job.finished = time.monotonic()
    job.add(Event("answer", renderers.answer(job)))


__all__ = ["Event", "Job", "JobStore", "Renderers", "run_job"]
