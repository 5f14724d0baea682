"""The `archive` command: a few lines per command over the functions the web app uses too.

Every command takes --data-dir (or ARCHIVE_DATA_DIR). Errors from the archive are printed as one message,
with a non-zero exit status: 1 for a failed operation, 2 for a usage error (click's own).
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from archive.errors import ArchiveError
from archive.settings import Settings


class ArchiveGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ArchiveError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            ctx.exit(1)


@click.group(cls=ArchiveGroup)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Archive folder (default: ARCHIVE_DATA_DIR or ./archive-data).")
@click.option("--model", default=None, help="Embedding model: bundled:all-MiniLM-L6-v2 or a local folder.")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, model: str | None) -> None:
    """A searchable news archive: keyword (tantivy BM25) and semantic (FAISS) search, fused."""
    ctx.obj = Settings.from_env(data_dir=data_dir, model=model)


def _progress() -> bool:
    return sys.stderr.isatty()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def ingest(settings: Settings, paths: tuple[Path, ...]) -> None:
    """Add or update documents from files and folders (recursive): .txt .md .html .json .jsonl.

    Unchanged documents are skipped, bad files reported and skipped. Example: archive ingest seeds/
    """
    from indexer.ingest import ingest_paths

    report = ingest_paths(settings, list(paths), progress=_progress())
    for problem in report.skipped:
        click.echo(f"skipped {problem.origin}: {problem.reason}", err=True)
    for doc_id, copy in report.duplicates:
        click.echo(f"{doc_id} is a near-duplicate of {copy}")
    click.echo(f"{report.summary()} in {report.seconds_total:.1f}s")
    if report.skipped and not (report.added or report.updated or report.unchanged):
        sys.exit(1)


@main.command()
@click.option("--reembed", is_flag=True, help="Embed every chunk again instead of reusing stored vectors.")
@click.pass_obj
def rebuild(settings: Settings, reembed: bool) -> None:
    """Build fresh indexes from the store and switch to them atomically. Example: archive rebuild"""
    from indexer.ingest import rebuild as run_rebuild

    result = run_rebuild(settings, reembed=reembed, progress=_progress())
    click.echo(
        f"generation {result['generation']}: {result['documents']} documents, {result['chunks']} chunks "
        f"({result['embedded']} embedded, {result['rechunked']} documents re-chunked)"
    )


@main.command()
@click.argument("doc_ids", nargs=-1, required=True)
@click.pass_obj
def remove(settings: Settings, doc_ids: tuple[str, ...]) -> None:
    """Remove documents from the store and both indexes. Example: archive remove 002_f99659502e8c69ca"""
    from indexer.ingest import remove_documents

    removed = remove_documents(settings, list(doc_ids))
    click.echo(f"removed {len(removed)} document(s): {', '.join(removed)}")


@main.command()
@click.argument("query")
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "semantic"]), default="hybrid", show_default=True)
@click.option("--k", "k", type=int, default=10, show_default=True, help="Number of results (1-100).")
@click.option("--offset", type=int, default=0, help="Skip this many results (pagination).")
@click.option("--source", default=None, help="Only documents from this source.")
@click.option("--date-from", default=None, help="Only documents dated on or after (YYYY-MM-DD).")
@click.option("--date-to", default=None, help="Only documents dated on or before (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (the API's shape).")
@click.pass_obj
def search(settings: Settings, query: str, mode: str, k: int, offset: int, source, date_from, date_to,
           as_json: bool) -> None:
    """Search the archive. Example: archive search "what did the Refugee Council say about riots" """
    from indexer.search import SearchRequest, SearchService

    service = SearchService(settings)
    response = service.search(SearchRequest(query, mode, k, offset, source, date_from, date_to))
    if as_json:
        click.echo(json.dumps(response_json(response), indent=2, ensure_ascii=False))
        return
    for notice in response.notices:
        click.echo(f"note: {notice}", err=True)
    if not response.results:
        click.echo(f"no results for {query!r} ({response.mode})")
        return
    click.echo(f"{response.total} results ({response.mode}, {response.took_ms:.0f} ms)\n")
    for hit in response.results:
        ranks = ", ".join(f"{name} #{rank}" for name, rank in hit.ranks.items() if rank)
        page = f" p. {hit.page}" if hit.page else ""
        click.echo(f"{hit.rank}. {hit.title}  [{hit.doc_id} ¶{hit.position}{page}]")
        meta = " · ".join(x for x in (hit.source, hit.date) if x)
        click.echo(f"   {meta + ' · ' if meta else ''}score {hit.score:.4f} ({ranks})")
        click.echo(f"   {hit.text}")
        if hit.duplicates:
            click.echo(f"   also in: {', '.join(hit.duplicates)}")
        click.echo("")


def response_json(response) -> dict:
    data = asdict(response)
    for hit in data["results"]:
        hit.pop("context", None)
    return data


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats(settings: Settings, as_json: bool) -> None:
    """Documents, chunks, sources, duplicate groups and the index generation. Example: archive stats"""
    from indexer.search import SearchService

    figures = SearchService(settings).stats()
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"documents:  {figures['documents']}")
    click.echo(f"chunks:     {figures['chunks']} ({figures['indexed_chunks']} indexed, {figures['embedded']} embedded)")
    click.echo(f"dates:      {figures['first_date'] or '-'} .. {figures['last_date'] or '-'}")
    click.echo(f"sources:    {', '.join(f'{s} ({n})' for s, n in figures['sources'].items()) or '-'}")
    click.echo(f"quotes:     {figures['quotes']} from {figures['speakers']} speakers (see /speakers)")
    click.echo(f"duplicates: {len(figures['duplicate_groups'])} group(s)")
    for group in figures["duplicate_groups"]:
        click.echo(f"            {' = '.join(group)}")
    click.echo(f"generation: {figures['generation']}")
    if figures["model"]:
        click.echo(f"model:      {figures['model']['name']} (sha256 {figures['model']['sha256'][:12]}…)")


@main.command(name="eval")
@click.argument("dataset_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", default="test", show_default=True, help="Judgments file qrels/<split>.tsv.")
@click.option("--modes", default="keyword,semantic,hybrid", show_default=True, help="Comma-separated modes.")
@click.option("--sample", type=click.Choice(["all", "tune", "holdout"]), default="all", show_default=True,
              help="All queries, or the even (tune) / odd (holdout) halves in file order.")
@click.option("--data-dir", "eval_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Keep the evaluation archive here (reused next time) instead of a throw-away folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def evaluate(settings: Settings, dataset_dir: Path, split: str, modes: str, sample: str, eval_dir: Path | None,
             as_json: bool) -> None:
    """Relevance of each mode on a BEIR-layout dataset, measured through the JSON API.

    Example: archive eval ../shared/data/cranfield --sample holdout
    """
    import tempfile
    from dataclasses import replace

    from indexer.embedder import Embedder
    from indexer.evaluate import documents_in_order, load_dataset
    from indexer.evaluate import evaluate as run_evaluation
    from indexer.ingest import ingest_paths
    from indexer.search import SearchService
    from web import create_app

    dataset = load_dataset(dataset_dir, split, sample)
    wanted = [m.strip() for m in modes.split(",") if m.strip()]
    with tempfile.TemporaryDirectory(prefix="archive-eval-") as scratch:
        settings = replace(settings, data_dir=eval_dir or Path(scratch))
        embedder = Embedder.from_settings(settings, query_cache_size=0)
        report = ingest_paths(settings, [dataset.corpus], embedder=embedder, progress=_progress())
        if not as_json:
            click.echo(f"{dataset.name}: {report.summary()}", err=True)
        client = create_app(settings, service=SearchService(settings, embedder=embedder)).test_client()

        def rank(query: str, mode: str) -> list[str]:
            response = client.get("/api/search", query_string={"q": query[:1000], "mode": mode, "k": 100})
            if response.status_code != 200:
                raise ArchiveError(f"the API answered {response.status_code} for {query!r}: {response.get_json()}")
            return documents_in_order(response.get_json()["results"])

        figures = run_evaluation(dataset, rank, wanted)
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"{figures['dataset']} ({split}, {sample}): {figures['queries']} queries")
    click.echo(f"{'mode':<10}{'nDCG@10':>9}{'R@100':>8}{'MRR@10':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for mode, m in figures["modes"].items():
        click.echo(f"{mode:<10}{m['ndcg@10']:>9.4f}{m['recall@100']:>8.4f}{m['mrr@10']:>8.4f}"
                   f"{m['p50_ms']:>9.1f}{m['p95_ms']:>9.1f}")


@main.command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 5000).")
@click.option("--seed", "seed_paths", multiple=True, type=click.Path(path_type=Path),
              help="Ingest these paths first if the archive is empty (make run uses seeds/).")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None, seed_paths: tuple[Path, ...]) -> None:
    """Serve the search page and JSON API with waitress. Example: archive serve --port 8080"""
    from dataclasses import replace

    import waitress

    from indexer.build import current_generation
    from indexer.ingest import ingest_paths
    from web import create_app

    settings = replace(settings, host=host or settings.host, port=port or settings.port)
    if seed_paths and current_generation(settings) is None:
        click.echo(f"empty archive: ingesting {', '.join(map(str, seed_paths))}")
        click.echo(ingest_paths(settings, list(seed_paths), progress=_progress()).summary())
    app = create_app(settings)
    app.extensions["archive.search"].embedder.encode_query("warm up the model before the first request")
    click.echo(f"serving {settings.data_dir} on http://{settings.host}:{settings.port}/")
    waitress.serve(app, host=settings.host, port=settings.port, threads=settings.threads, ident="archive")


if __name__ == "__main__":
    main()
