"""The `archive` command: a few lines per command over the functions the web app uses too.

Every command takes --data-dir (or ARCHIVE_DATA_DIR) and --model, before or after the command's name. Errors
are printed as one line starting `Error:`. Exit status: 0 done; 1 failed (nothing was changed); 2 usage error
(click's own); 3 `ingest` stored and indexed what it could but skipped some inputs (each is listed with its reason
as it is met) or stopped early; 130 interrupted (what was stored before is indexed).
"""

from __future__ import annotations

import functools
import json
import sys
from dataclasses import asdict, replace
from pathlib import Path

import click

from archive.errors import ArchiveError, InvalidRequestError
from archive.settings import Settings

EXIT_PARTIAL = 3
FLAGS = {
    "q": "QUERY",
    "k": "--k",
    "offset": "--offset",
    "mode": "--mode",
    "source": "--source",
    "date_from": "--date-from",
    "date_to": "--date-to",
}


class ArchiveGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InvalidRequestError as exc:
            click.echo(f"Error: {exc.naming(FLAGS)}", err=True)
            ctx.exit(1)
        except ArchiveError as exc:
            click.echo(f"Error: {exc.message}", err=True)
            ctx.exit(1)


_DATA_DIR = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Archive folder (default: ARCHIVE_DATA_DIR or ./archive-data).",
)
_MODEL = click.option("--model", default=None, help="Embedding model: bundled:all-MiniLM-L6-v2 or a local folder.")


def archive_command(*args, **kwargs):
    """A subcommand that also takes --data-dir and --model after its name (`archive stats --data-dir X`)."""

    def decorate(function):
        @functools.wraps(function)
        def run(*inner, data_dir: Path | None = None, model: str | None = None, **options):
            ctx = click.get_current_context()
            if data_dir is not None or model is not None:
                ctx.obj = replace(ctx.obj, **{k: v for k, v in (("data_dir", data_dir), ("model", model)) if v})
            return function(ctx.obj, *inner, **options)

        return main.command(*args, **kwargs)(_DATA_DIR(_MODEL(run)))

    return decorate


@click.group(cls=ArchiveGroup)
@_DATA_DIR
@_MODEL
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, model: str | None) -> None:
    """A searchable news archive: keyword (tantivy BM25) and semantic (FAISS) search, fused."""
    ctx.obj = Settings.from_env(data_dir=data_dir, model=model)


def _progress() -> bool:
    return sys.stderr.isatty()


@archive_command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--source", default=None, help="Source (outlet) for documents that name none.")
@click.option("--dry-run", is_flag=True, help="Read and clean everything, print what would be stored, store nothing.")
@click.option("--json", "as_json", is_flag=True, help="With --dry-run: one JSON line per document and per problem.")
@click.option(
    "--cluster",
    default=None,
    metavar="ADDRESS",
    help="Encode on this Dask cluster (scheduler address, e.g. tcp://10.0.0.5:8786); needs .[cluster].",
)
def ingest(
    settings: Settings, paths: tuple[Path, ...], source: str | None, dry_run: bool, as_json: bool, cluster: str | None
) -> None:
    """Add or update documents from files and folders (recursive): .txt .md .html .json .jsonl.

    Unchanged documents are skipped, bad files reported and skipped (exit status 3 when any was).
    Example: archive ingest seeds/ --source "The Guardian"
    (a large backfill: archive ingest --cluster tcp://scheduler:8786 backfill/)
    """
    if dry_run:
        _preview(settings, list(paths), source, as_json)
        return
    from archive.documents import IngestReport
    from indexer.ingest import ingest_paths
    from indexer.meter import Meter

    if cluster:
        settings = replace(settings, cluster=cluster)
    meter = Meter(lines=not _progress())
    report = IngestReport(listener=meter)
    try:
        ingest_paths(settings, list(paths), progress=_progress(), source=source, report=report, meter=meter)
    except (Exception, KeyboardInterrupt) as exc:
        if report.stopped is None or isinstance(exc, ArchiveError) and not report.changed:
            raise
        click.echo(
            f"Error: stopped early ({report.stopped}). What was stored before is indexed: {report.summary()}. "
            "Run the same command again to go on (unchanged documents are skipped).",
            err=True,
        )
        sys.exit(130 if isinstance(exc, KeyboardInterrupt) else EXIT_PARTIAL if report.changed else 1)
    for doc_id, copy in report.duplicates:
        click.echo(f"{doc_id} is a near-duplicate of {copy}")
    click.echo(f"{report.summary()} in {report.seconds_total:.1f}s")
    if report.skipped:
        sys.exit(EXIT_PARTIAL)


def _preview(settings: Settings, paths: list[Path], source: str | None, as_json: bool) -> None:
    from archive.documents import Problem
    from indexer.ingest import preview_paths

    problems = 0
    for item in preview_paths(settings, paths, source):
        if isinstance(item, Problem):
            problems += 1
            line = {"origin": item.origin, "problem": item.reason}
            click.echo(json.dumps(line, ensure_ascii=False) if as_json else f"problem {item.origin}: {item.reason}")
            continue
        doc = item.document
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "origin": item.origin,
                        "id": doc.doc_id,
                        "action": item.action,
                        "title": doc.title,
                        "date": doc.date,
                        "source": doc.source,
                        "url": doc.url,
                        "meta": doc.meta,
                        "paragraphs": list(doc.paragraphs),
                        "warnings": list(item.warnings),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            click.echo(f"{item.action:<9} {doc.doc_id}  {doc.title}  ({len(doc.paragraphs)} paragraphs)")
    if problems:
        sys.exit(EXIT_PARTIAL)


@archive_command()
@click.option("--reembed", is_flag=True, help="Embed every chunk again instead of reusing stored vectors.")
def rebuild(settings: Settings, reembed: bool) -> None:
    """Build fresh indexes from the store and switch to them atomically. Example: archive rebuild"""
    from indexer.ingest import rebuild as run_rebuild

    result = run_rebuild(settings, reembed=reembed, progress=_progress())
    click.echo(
        f"generation {result['generation']}: {result['documents']} documents, {result['chunks']} chunks "
        f"({result['embedded']} embedded, {result['rechunked']} documents re-chunked)"
    )


@archive_command()
@click.argument("doc_ids", nargs=-1, required=True)
@click.option("--ignore-missing", is_flag=True, help="Remove the ids that exist instead of refusing all of them.")
def remove(settings: Settings, doc_ids: tuple[str, ...], ignore_missing: bool) -> None:
    """Remove documents from the store and both indexes: all of them, or none if an id is unknown.

    Example: archive remove 002_f99659502e8c69ca
    """
    from indexer.ingest import remove_documents

    removed = remove_documents(settings, list(doc_ids), ignore_missing=ignore_missing)
    click.echo(f"removed {len(removed)} document(s): {', '.join(removed) or '-'}")


@archive_command()
@click.argument("query", required=False)
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "semantic"]), default="hybrid", show_default=True)
@click.option("--k", "k", type=int, default=10, show_default=True, help="Number of results (1-100).")
@click.option("--offset", type=int, default=0, help="Skip this many results (pagination).")
@click.option("--source", default=None, help="Only documents from this source.")
@click.option("--date-from", default=None, help="Only documents dated on or after (YYYY-MM-DD).")
@click.option("--date-to", default=None, help="Only documents dated on or before (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (the API's shape).")
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Run every query of FILE (one a line, or a CSV with a query column and per-query filters); print every "
    "query's hits as CSV (or --format jsonl/json) and a count per query on stderr.",
)
@click.option("--format", "form", type=click.Choice(["csv", "jsonl", "json"]), default="csv", show_default=True)
def search(
    settings: Settings,
    query: str | None,
    mode: str,
    k: int,
    offset: int,
    source,
    date_from,
    date_to,
    as_json: bool,
    batch,
    form: str,
) -> None:
    """Search the archive. Example: archive search "what did the Refugee Council say about riots"; many queries at
    once: archive search --batch queries.csv > hits.csv"""
    from indexer.search import SearchRequest, SearchService

    service = SearchService(settings)
    if batch is not None:  # batch search: indexer/batch.py
        from indexer.batch import read_batch, run_batch, write_batch

        queries = read_batch(batch.read(), SearchRequest("", mode, k, offset, source, date_from, date_to))
        for done in write_batch(run_batch(service, queries), form, sys.stdout):
            click.echo(done.summary(), err=True)
        return
    if not query:
        raise click.UsageError("give a QUERY, or --batch FILE")
    if mode != "keyword":
        service.embedder.encode_query(query)  # load the model first: the time printed is the search's own
    response = service.search(SearchRequest(query, mode, k, offset, source, date_from, date_to))
    if as_json:
        click.echo(json.dumps(response.to_json(), indent=2, ensure_ascii=False))
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


@archive_command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(settings: Settings, as_json: bool) -> None:
    """Documents, chunks, sources, duplicate groups and the index generation. Example: archive stats"""
    from archive.store.originals import originals_size
    from indexer.search import SearchService

    service = SearchService(settings)
    figures = asdict(service.stats())
    figures["originals"] = dict(zip(("files", "bytes"), originals_size(service.store), strict=True))
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
    click.echo(f"originals:  {figures['originals']['files']} file(s), {figures['originals']['bytes'] / 1e6:.1f} MB")
    click.echo(f"generation: {figures['generation']}")
    if figures["model"]:
        click.echo(f"model:      {figures['model']['name']} (sha256 {figures['model']['sha256'][:12]}…)")


@main.command(name="eval")
@click.argument("dataset_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--split", default="test", show_default=True, help="Judgments file qrels/<split>.tsv.")
@click.option("--modes", default="keyword,semantic,hybrid", show_default=True, help="Comma-separated modes.")
@click.option(
    "--sample",
    type=click.Choice(["all", "tune", "holdout"]),
    default="all",
    show_default=True,
    help="All queries, or the even (tune) / odd (holdout) halves in file order.",
)
@click.option(
    "--data-dir",
    "eval_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the evaluation archive here (reused next time) instead of a throw-away folder.",
)
@click.option(
    "--group",
    type=click.Choice(["passage", "document"]),
    default="passage",
    show_default=True,
    help="Judge the passage ranking (documents in order of their best passage) or the article ranking.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON (with every query's nDCG@10).")
@click.option(
    "--save",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the JSON figures to this file, for a later --compare.",
)
@click.option(
    "--compare",
    "previous",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A previous run's JSON: print which queries gained and lost since.",
)
@click.pass_obj
def evaluate(
    settings: Settings,
    dataset_dir: Path,
    split: str,
    modes: str,
    sample: str,
    eval_dir: Path | None,
    group: str,
    as_json: bool,
    save: Path | None,
    previous: Path | None,
) -> None:
    """Relevance of each mode on a BEIR-layout dataset, measured through the JSON API.

    Example: archive eval ../shared/data/cranfield --sample holdout
    """
    import tempfile
    from dataclasses import replace

    from indexer.embedder import Embedder
    from indexer.evaluate import compare, documents_in_order, load_dataset
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
            click.echo(f"{dataset.name}: {report.summary()} in {report.seconds_total:.1f}s", err=True)
        client = create_app(settings, service=SearchService(settings, embedder=embedder)).test_client()

        def rank(query: str, mode: str) -> list[str]:
            response = client.get(
                "/api/search", query_string={"q": query[:1000], "mode": mode, "k": 100, "group": group}
            )
            if response.status_code != 200:
                raise ArchiveError(f"the API answered {response.status_code} for {query!r}: {response.get_json()}")
            return documents_in_order(response.get_json()["results"])

        figures = run_evaluation(dataset, rank, wanted)
    figures.update(group=group, split=split, sample=sample)
    if report.added and not (report.updated or report.unchanged):  # built from empty: the build time
        figures["build_s"] = round(report.seconds_total, 1)
    if save:
        save.write_text(json.dumps(figures, indent=2))
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"{figures['dataset']} ({split}, {sample}): {figures['queries']} queries")
    click.echo(f"{'mode':<10}{'nDCG@10':>9}{'R@100':>8}{'MRR@10':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for mode, m in figures["modes"].items():
        click.echo(
            f"{mode:<10}{m['ndcg@10']:>9.4f}{m['recall@100']:>8.4f}{m['mrr@10']:>8.4f}"
            f"{m['p50_ms']:>9.1f}{m['p95_ms']:>9.1f}"
        )
    if previous:
        try:
            before = json.loads(previous.read_text())
        except ValueError as exc:
            raise ArchiveError(f"{previous} is not an `archive eval --json` output: {exc}") from exc
        for line in compare(before, figures, dataset.queries):
            click.echo(line)


@archive_command()
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 5000).")
@click.option(
    "--seed",
    "seed_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Ingest these paths first if the archive is empty (make run uses seeds/).",
)
def serve(settings: Settings, host: str | None, port: int | None, seed_paths: tuple[Path, ...]) -> None:
    """Serve the search page and JSON API with waitress. Example: archive serve --port 8080"""
    import waitress

    from indexer.build import current_generation
    from indexer.ingest import ingest_paths
    from web import create_app

    settings = replace(settings, host=host or settings.host, port=port or settings.port)
    _check_port_free(settings.host, settings.port)
    if seed_paths and current_generation(settings) is None:
        click.echo(f"empty archive: ingesting {', '.join(map(str, seed_paths))}")
        click.echo(ingest_paths(settings, list(seed_paths), progress=_progress()).summary())
    app = create_app(settings)
    app.extensions["archive.search"].embedder.ready_to_serve()  # a few seconds
    try:
        server = waitress.create_server(
            app, host=settings.host, port=settings.port, threads=settings.threads, ident="archive"
        )
    except OSError as exc:
        raise _port_error(settings.host, settings.port, exc) from exc
    click.echo(f"serving {settings.data_dir} on http://{settings.host}:{settings.port}/")
    server.run()


def _check_port_free(host: str, port: int) -> None:
    """Fail before any work is done when the address cannot be listened on."""
    import socket

    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise _port_error(host, port, exc) from exc


def _port_error(host: str, port: int, exc: OSError) -> ArchiveError:
    return ArchiveError(
        f"cannot listen on {host}:{port} ({exc.strerror or exc}): another program may be using the port; "
        "choose another with --port or ARCHIVE_PORT"
    )


if __name__ == "__main__":
    main()
