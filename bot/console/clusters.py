"""The console's page of questions the documents do not answer, grouped by meaning (the
opinion-monitoring view of Kế hoạch 57-KH/TU, mục III.10), and its CSV download.

The page only reads what the background job (``cluster_job``) kept; when that is older
than the job's period it asks for a run and shows what it has: a request never waits
for a grouping. Sizes and trends are everyone's; question texts are personal data: an
officer sees examples only from citizens of their unit's wards, an admin all. The CSV
has no names, ids or texts, unless an admin asks for the examples (audited).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.console.cluster_job import ClusterJob
from bot.console.insight_html import HOME, UNANSWERED, intro
from bot.console.officer_answers_view import cluster_link
from bot.console.pages import escape, signed_page
from bot.console.signin import Session
from bot.core.insights import Said
from bot.strings import console_clusters as words
from bot.strings import console_officer_answers as answer_words
from bot.vietnamese.text import fold

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
SHOWN = 50  # clusters on the page unless ?n= asks for more
MOST = 1000
EXAMPLES = 5
TO_DRAFT = 3  # questions a "Soạn giải đáp" link carries: the representative and two examples
ACTIONS = ("console_export_personal", "console_export_personal_refused")
REFUSALS = {400: web.HTTPBadRequest, 403: web.HTTPForbidden}


def sees_area(session: Session, area: str) -> bool:
    """The inbox's rule (``inbox.sees``) for a ward: admins all, an officer their unit's."""
    return session.role == "admin" or (bool(area) and area in fold(session.unit))


class Clusters:
    def __init__(self, store: Any, job: ClusterJob | None, require: Any) -> None:
        self.store = store
        self.job = job
        self.require = require

    def routes(self) -> list[web.RouteDef]:
        return [web.get(UNANSWERED, self.show)]

    async def show(self, request: web.Request) -> web.StreamResponse:
        session = await self.require(request)
        shown, download, personal = self._query(request, session)
        if personal and session.role != "admin":
            await self.store.audit(session.actor, ACTIONS[1], {"table": "cau-hoi-chua-tra-loi"})
            raise self._refusal(session, words.EXAMPLES_REFUSED, 403)
        if self.job is None:
            return signed_page(session, "so-lieu", self._frame(words.NOT_AVAILABLE))
        result = await self.job.latest()
        if self.job.stale(result):
            self.job.request()  # in the background: this page shows what there is
        clusters = (result or {}).get("clusters", [])
        if download:
            return await self._csv(session, clusters, personal)
        found = await self.store.questions_said(_ids(clusters[:shown], session))
        body = self._status(session, result) + "".join(
            self._cluster(session, rank, cluster, found)
            for rank, cluster in enumerate(clusters[:shown], 1)
        )
        if len(clusters) > shown:
            more = f"{UNANSWERED}?n={min(len(clusters), MOST)}"
            body += f'<p><a href="{more}">{escape(words.MORE.format(n=min(len(clusters), MOST)))}</a></p>'
        return signed_page(session, "so-lieu", self._frame(body))

    # ---- parts of the page ---------------------------------------------------------
    def _frame(self, body: str) -> str:
        days, cap = (self.job.days, self.job.cap) if self.job else (90, 5000)
        intro_text = words.INTRO.format(days=days, cap=words.number(cap))
        return (
            f'{intro(UNANSWERED)}<section class="clusters"><h3>{escape(words.TITLE)}</h3>'
            f"<p>{escape(intro_text)}</p>{body}</section>"
        )

    def _status(self, session: Session, result: dict | None) -> str:
        assert self.job is not None
        notes = []
        if session.role != "admin":
            notes.append(f'<p class="muted">{escape(words.OFFICER_SCOPE)}</p>')
        if result is None:
            return "".join(notes) + f'<p class="cluster-status">{escape(words.FIRST_RUN)}</p>'
        when = _local(result["computed_at"]).strftime("%H:%M %d/%m/%Y")
        line = words.computed(
            when,
            result["seconds"]["total"],
            result["questions"],
            len(result["clusters"]),
            result["alone"],
        )
        notes.append(f'<p class="cluster-status">{escape(line)}</p>')
        if self.job.running:
            notes.append(f'<p class="cluster-status">{escape(words.REFRESHING)}</p>')
        links = f'<a href="{UNANSWERED}?format=csv">{escape(words.EXPORT)}</a>'
        if session.role == "admin":
            personal = f"{UNANSWERED}?format=csv&amp;ca-nhan=1"
            links += f' · <a href="{personal}">{escape(words.EXPORT_EXAMPLES)}</a>'
        notes.append(f'<p class="downloads">{links}</p>')
        if not result["clusters"]:
            notes.append(f"<p>{escape(words.NONE_YET)}</p>")
        return "".join(notes)

    def _cluster(self, session: Session, rank: int, cluster: dict, found: dict[int, Said]) -> str:
        seen = _visible(session, cluster, found)
        texts = [text for _, text in seen]
        lead = (
            f"<q>{escape(texts[0])}</q>"
            if texts
            else f'<span class="muted">{escape(words.NO_EXAMPLE)}</span>'
        )
        trend = " · ".join(
            (
                words.trend(words.WEEK, cluster["week"], cluster["previous_week"]),
                words.trend(words.MONTH, cluster["month"], cluster["previous_month"]),
            )
        )
        parts = [
            f'<article class="cluster"><h4><span class="cluster-size">{escape(words.size(cluster["size"]))}</span> {lead}</h4>',
            f'<p class="cluster-trend">{escape(trend)}</p>',
        ]
        if cluster["keywords"]:
            parts.append(
                f"<p>{escape(words.KEYWORDS)}: <b>{escape(', '.join(cluster['keywords']))}</b></p>"
            )
        if session.role != "admin":
            mine = _from_unit(session, cluster)
            parts.append(f"<p>{escape(words.FROM_UNIT)}: <b>{mine}</b></p>")
        seen_text = words.SEEN.format(
            first=_local(cluster["first"]).strftime("%d/%m/%Y"),
            last=_local(cluster["last"]).strftime("%d/%m/%Y"),
        )
        parts.append(f'<p class="muted">{escape(seen_text)}</p>')
        if seen:  # officers answer what the documents do not: the new form, prefilled
            link = cluster_link([i for i, _ in seen[:TO_DRAFT]])
            parts.append(
                f'<p><a href="{escape(link)}">{escape(answer_words.DRAFT_FROM_CLUSTER)}</a></p>'
            )
        if len(texts) > 1:
            items = "".join(f"<li>{escape(t)}</li>" for t in texts[1:])
            parts.append(
                f"<details><summary>{escape(words.EXAMPLES)} ({len(texts) - 1})</summary><ul>{items}</ul></details>"
            )
        return "".join(parts) + "</article>"

    # ---- the download ---------------------------------------------------------------
    async def _csv(self, session: Session, clusters: list[dict], personal: bool) -> web.Response:
        head = list(words.COLUMNS)
        if session.role != "admin":
            head.append(words.UNIT_COLUMN)
        found: dict[int, Said] = {}
        if personal:
            head.extend(words.EXAMPLE_COLUMNS)
            found = await self.store.questions_said(_ids(clusters, session))
            await self.store.audit(
                session.actor, ACTIONS[0], {"table": "cau-hoi-chua-tra-loi", "rows": len(clusters)}
            )
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(head)
        for rank, cluster in enumerate(clusters, 1):
            row: list[object] = [
                rank,
                cluster["size"],
                cluster["distinct"],
                cluster["week"],
                cluster["previous_week"],
                cluster["month"],
                cluster["previous_month"],
                _local(cluster["first"]).date().isoformat(),
                _local(cluster["last"]).date().isoformat(),
                "; ".join(cluster["keywords"]),
            ]
            if session.role != "admin":
                row.append(_from_unit(session, cluster))
            if personal:
                row.extend(text for _, text in _visible(session, cluster, found))
            writer.writerow(row)
        response = web.Response(
            body=("\ufeff" + out.getvalue()).encode("utf-8"),
            content_type="text/csv",
            charset="utf-8",
        )
        response.headers["Content-Disposition"] = f'attachment; filename="{words.FILE_NAME}"'
        response.headers["Cache-Control"] = "no-store"
        return response

    # ---- checks -----------------------------------------------------------------------
    def _query(self, request: web.Request, session: Session) -> tuple[int, bool, bool]:
        """(clusters shown, a CSV download, with examples); a 400 for anything else."""
        query = request.query
        shown = query.get("n", str(SHOWN))
        kind = query.get("format", "html")
        personal = query.get("ca-nhan", "0")
        unknown = set(query) - {"n", "format", "ca-nhan"}
        if (
            unknown
            or not shown.isdigit()
            or not 1 <= int(shown) <= MOST
            or kind not in {"html", "csv"}
            or personal not in {"0", "1"}
        ):
            raise self._refusal(session, words.BAD_REQUEST, 400)
        return int(shown), kind == "csv", personal == "1"

    def _refusal(self, session: Session, text: str, status: int) -> web.HTTPException:
        body = f'<p>{escape(text)}</p><p><a href="{HOME}">{escape(words.BACK)}</a></p>'
        page = signed_page(session, "so-lieu", body)
        return REFUSALS[status](
            text=page.text, content_type="text/html", headers={"Cache-Control": "no-store"}
        )


def _ids(clusters: list[dict], session: Session) -> list[int]:
    """The ids to look up: an admin needs the first few (some may be erased), an officer
    all kept ones (their wards' may be anywhere in the list)."""
    reach = EXAMPLES * 2 + 1 if session.role == "admin" else None
    return [i for c in clusters for i in c["members"][:reach]]


def _visible(session: Session, cluster: dict, found: dict[int, Said]) -> list[tuple[int, str]]:
    """The representative question and up to five examples this officer may read (with
    their message ids, which the "Soạn giải đáp" link carries)."""
    texts = []
    for message_id in cluster["members"]:
        question = found.get(message_id)
        if question is not None and sees_area(session, question.area):
            texts.append((message_id, question.text))
            if len(texts) == EXAMPLES + 1:
                break
    return texts


def _from_unit(session: Session, cluster: dict) -> int:
    return sum(n for area, n in cluster["areas"].items() if sees_area(session, area))


def _local(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(HANOI)
