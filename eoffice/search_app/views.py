"""The search page and GET /api/v1/search (only what the user may see is found or counted)."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask_login import current_user

import search
from eoffice.db import db
from eoffice.extensions import acting_user
from eoffice.params import date_arg, int_arg
from eoffice.permissions import authenticated
from eoffice.rendering.types import DOCUMENT_TYPES
from eoffice.search_app.operations import search_documents

bp = Blueprint("search", __name__)
api = Blueprint("search_api", __name__)
PER_PAGE = 20


def run_query(user) -> tuple[search.SearchQuery, search.SearchResults]:
    from eoffice.search_app import context

    text = request.args.get("q", "").strip()[:500]
    query = search.SearchQuery(
        text=text, type_code=request.args.get("type_code") or None,
        year=int_arg("year", None, 1900, 2200), issuer=request.args.get("issuer") or None,
        date_from=date_arg("date_from"), date_to=date_arg("date_to"),
        direction=request.args.get("direction") or None,
        page=int_arg("page", 1) or 1, per_page=PER_PAGE)
    if not text and not any([query.type_code, query.year, query.issuer, query.date_from,
                              query.date_to, query.direction]):
        return query, search.SearchResults(total=0, hits=[], page=1, per_page=PER_PAGE)
    return query, search_documents(db.session, context().index, user, query)


@bp.route("/search")
@authenticated
def page():
    query, results = run_query(current_user)
    pages = max(1, -(-results.total // PER_PAGE))
    return render_template("search/results.html", query=query, results=results, pages=pages,
                           types=DOCUMENT_TYPES, hit_facts=_hit_facts(results))


def _hit_facts(results: search.SearchResults) -> dict[str, dict[str, str]]:
    """Direction (incoming/outgoing) and arrival number of each hit, so the same code seen
    as sent and as received reads differently."""
    import sqlalchemy as sa

    from eoffice.documents.models import Document

    ids = [int(hit.id) for hit in results.hits if str(hit.id).isdigit()]
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Document.id, Document.direction, Document.arrival_number,
                                        Document.issuer_name).where(Document.id.in_(ids)))
    return {str(row.id): {"direction": row.direction.value,
                          "arrival": str(row.arrival_number or ""),
                          "issuer": row.issuer_name or ""} for row in rows}


@api.route("/api/v1/search")
@authenticated
def search_api():
    _, results = run_query(acting_user())
    return jsonify({"total": results.total, "page": results.page,
                    "results": [{"id": int(hit.id), "subject": hit.subject, "code": hit.code,
                                 "snippet": hit.snippet_html, "urgency": hit.urgency,
                                 "type_code": hit.type_code} for hit in results.hits]})


@api.route("/api/v1/search/suggest")
@authenticated
def suggest_api():
    from eoffice.search_app import context

    prefix = request.args.get("q", "").strip()[:100]
    words = context().index.suggest(prefix, acting_user().search_keys()) if prefix else []
    return jsonify({"suggestions": words})


@bp.route("/search/open/<int:document_id>")
@authenticated
def open_document(document_id: int):
    """From a result to the document's own page (each flow has its page), access re-checked."""
    from flask import redirect, url_for
    from werkzeug.routing import BuildError

    from eoffice.documents.operations import get_visible

    document = get_visible(db.session, current_user, document_id)
    endpoint = {"incoming": "incoming.detail", "outgoing": "outgoing.detail"}.get(
        document.direction.value)
    try:
        return redirect(url_for(endpoint or "documents.file", document_id=document.id))
    except BuildError:  # that flow's pages are not installed: serve the file
        return redirect(url_for("documents.file", document_id=document.id))
