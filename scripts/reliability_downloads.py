"""RELIABILITY.md's section on ISO downloads from a URL (tests/reliability/test_downloads.py).

Made from the committed run file alone, like every section of
scripts/reliability_sections.py (tests/test_reports.py checks that no figure is
typed into these strings).
"""

from __future__ import annotations

from typing import Any

from reliability_sections import cell, clip, find, table, test_name

TESTS = "test_downloads.py"


def downloads(tests: dict[str, Any]) -> str:
    """`## 9.`: the job poller under faults, the deadline, and convergence after a cut."""
    found = find(tests, TESTS)
    if not found:
        return ""
    polls: list[list[Any]] = []
    cuts: list[list[Any]] = []
    never = None
    for key, fig in found.items():
        name = test_name(key)
        if name.startswith("test_the_job_poller_survives"):
            for kind, case in (fig.get("cases") or {}).items():
                polls.append(
                    [
                        kind,
                        case.get("job_s"),
                        case.get("faults"),
                        case.get("polls"),
                        case.get("downloads"),
                        case.get("listing_reads"),
                        case.get("seconds"),
                        fig.get("outcome"),
                    ]
                )
        elif name.startswith("test_a_job_that_never_ends"):
            never = fig
        elif name.startswith("test_a_download_cut_by_the_deadline"):
            case = fig.get("case") or {}
            cuts.append(
                [
                    "cut by the deadline, the job still running",
                    case.get("jobs"),
                    case.get("adopted"),
                    fig.get("outcome"),
                ]
            )
        elif name.startswith("test_a_provider_killed_while_polling"):
            for when, case in (fig.get("cases") or {}).items():
                cuts.append(
                    [
                        f"provider SIGKILLed while polling, next create {when}",
                        case.get("jobs"),
                        case.get("adopted"),
                        fig.get("outcome"),
                    ]
                )
    parts = [
        "## 9. Downloads from a URL",
        "`VpsIsoImage` creates through the real provider host (gRPC). The simulator "
        "injects faults only on the job's `pollUrl` (`/api/jobs/...`), so every fault "
        "hits the poller. Each create ended with one download request and the ISO in "
        "the library once.",
        table(
            [
                "faults on the polls",
                "job s",
                "faults answered",
                "polls",
                "download requests",
                "listing reads",
                "create took s",
                "result",
            ],
            polls,
        ),
    ]
    if never is not None:
        case = never.get("case") or {}
        parts.append(
            f"**A job that never ends**, with `hostup:operationTimeout` = "
            f"{cell(case.get('deadline_s'))} s: the create failed after "
            f"{cell(case.get('seconds'))} s and {cell(case.get('polls'))} polls "
            f"({cell(never.get('outcome'))}), saying: {clip(case.get('message'), 300)}"
        )
    if cuts:
        parts.append(
            "**A download cut short converges on the next create** (the next `pulumi "
            "up`), with no manual step: a job still running is followed (the simulator "
            "answers a second request for a file still downloading with its job, an "
            "assumption: `hostup.assumptions.FROM_URL_REPEAT_FOLLOWS_RUNNING_JOB`), and "
            "a finished file is adopted (the API answers `completed` for a file it has)."
        )
        parts.append(table(["case", "jobs in the simulator", "adopted", "result"], cuts))
    return "\n\n".join(parts)
