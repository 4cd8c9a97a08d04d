"""`crisisbot`: console, serve, db upgrade, list, export, signals import, templates import|export, teams-package."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from adapters.runtime import DEFAULT_DATABASE_URL, build_runtime, load_env
from bot.commands import ExportReport, ListIncidents, Origin
from bot.errors import CrisisError
from bot.i18n import translator
from bot.model import Status

STATUSES = tuple(status.value for status in Status)


def _console(args: argparse.Namespace) -> int:
    from adapters.console.repl import run

    asyncio.run(run(build_runtime(), args.as_, args.in_, args.lang))
    return 0


def _serve(args: argparse.Namespace) -> int:
    from adapters import server
    from adapters.log_format import LogFormatError, configure

    env = load_env()
    try:
        configure(env)
    except LogFormatError as error:
        print(f"crisisbot cannot start: {error}", file=sys.stderr)
        return 2
    # Every scheduler tick and every Alembic plugin would otherwise log at INFO.
    for chatty in ("apscheduler.executors.default", "apscheduler.scheduler", "alembic.runtime.plugins"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))
    port = args.port or int(env.get("PORT", "3000"))
    host = args.host or "0.0.0.0"
    from adapters.teams import requires_loopback

    if requires_loopback(env) and not args.public:
        # Without a Microsoft app id the Teams endpoint accepts unauthenticated requests: keep it local.
        host = "127.0.0.1"
    _upgrade_apart()
    runtime = build_runtime(env)
    hint = " (loopback only without MICROSOFT_APP_ID; --public listens everywhere)" if host == "127.0.0.1" else ""
    logging.getLogger("crisisbot.server").info("listening on http://%s:%s%s", host, port, hint)
    server.run(runtime, port, host, public=args.public)
    return 0


UPGRADE_APART_SECONDS = 30


def _upgrade_apart() -> None:
    """`crisisbot db upgrade` in a child process: the server then finds its database at the newest revision and
    never loads Alembic (some 10 MB it would keep to the end). If the child fails, the server migrates itself at
    its first use of the database, as it always could, and says what went wrong then."""
    try:
        # Bounded: a database that does not answer must not keep the server (and its /healthz) from starting.
        done = subprocess.run([sys.executable, "-m", "adapters.cli", "db", "upgrade"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, check=False, timeout=UPGRADE_APART_SECONDS)
        upgraded = done.returncode == 0
    except subprocess.TimeoutExpired:
        upgraded = False
    if not upgraded:
        logging.getLogger("crisisbot.server").info("the database was not upgraded before start; it will be at first use")


def _db_upgrade(args: argparse.Namespace) -> int:
    from storage.migrate import upgrade

    url = load_env().get("DATABASE_URL", DEFAULT_DATABASE_URL)
    upgrade(url)
    print("database is up to date")
    return 0


def _list(args: argparse.Namespace) -> int:
    from adapters.console.render import Controls, plain, reply_text, visible

    runtime = build_runtime()
    if args.all or args.status:
        from adapters.listing import listing

        t = translator(runtime.settings.language)
        for line in listing(runtime.dispatcher.uow_factory, args.status, t, runtime.settings.timezone):
            # Titles as the console shows them: people as @name, control characters visible rather than obeyed.
            print(visible(plain(line)))
        return 0
    outcome = runtime.dispatcher.dispatch(ListIncidents(), Origin("cli", "cli", "cli"))

    # Printed for the operator alone: no "(only you)" tag, in the configured language.
    reply = dataclasses.replace(outcome.reply, private=False)
    for line in reply_text(reply, Controls(), translator(runtime.settings.language)):
        print(visible(line.strip()))
    return 0


def _export(args: argparse.Namespace) -> int:
    runtime = build_runtime()
    if args.format == "html":
        from adapters.web.report import export

        name, document = export(runtime, args.key, args.lang)
        return _write(document, args.out, name, args.lang or runtime.settings.language)
    origin = Origin("cli", "cli", "cli", args.lang)
    reply = runtime.dispatcher.dispatch(ExportReport(incident=args.key), origin).reply
    if reply.file is None:
        print(reply.text, file=sys.stderr)
        return 1
    return _write(reply.file.content, args.out, reply.incident or args.key, args.lang or runtime.settings.language)


def _write(document: str, out: str | None, name: str, language: str) -> int:
    if out:
        try:
            Path(out).write_text(document, encoding="utf-8")
        except OSError as error:
            # A folder that does not exist, a directory, no permission: said in a line, not a traceback.
            print(f"cannot write {out}: {error.strerror or error}", file=sys.stderr)
            return 2
        print(translator(language)("{key} report written to {path}", key=name, path=out))
    elif sys.stdout.isatty():
        from adapters.console.render import visible

        # Read on a terminal, control characters someone typed would be obeyed (an escape sequence retitles the
        # window, recolours, moves the cursor): shown instead. Into a pipe or a file, the document exactly.
        sys.stdout.write(visible(document))
    else:
        sys.stdout.write(document)
    return 0


def _templates_import(args: argparse.Namespace) -> int:
    from adapters.template_files import TemplateFileError, read_templates
    from bot.commands import ImportTemplates

    try:
        items = read_templates(Path(args.file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, TemplateFileError) as error:
        print(f"{args.file}: {error}; nothing was imported", file=sys.stderr)
        return 2
    runtime = build_runtime()
    outcome = runtime.dispatcher.dispatch(ImportTemplates(items), Origin(args.as_, "cli", "cli", args.lang))
    print(outcome.reply.text)
    return 2 if outcome.refused else 0


def _templates_export(args: argparse.Namespace) -> int:
    from adapters.template_files import write_templates

    runtime = build_runtime()
    with runtime.dispatcher.uow_factory() as uow:
        content = write_templates(list(uow.templates.all()))
    if args.out:
        Path(args.out).write_text(content, encoding="utf-8")
    else:
        sys.stdout.write(content)
    return 0


def _teams_package(args: argparse.Namespace) -> int:
    from adapters.teams.package import build_package

    env = load_env()
    app_id = env.get("MICROSOFT_APP_ID", "")
    if not app_id:
        print("MICROSOFT_APP_ID must be set (in the environment or .env) to build the Teams app package.", file=sys.stderr)
        return 2
    from adapters.teams.package import PackageError

    try:
        path = build_package(Path(args.out), app_id)
    except PackageError as error:
        print(f"cannot build the Teams package: {error}", file=sys.stderr)
        return 2
    print(f"Teams app package written to {path}")
    return 0


def _signals_import(args: argparse.Namespace) -> int:
    from adapters import signals_import

    env = load_env()
    path = Path(args.file)
    try:
        if args.url:
            secret = env.get("CRISISBOT_SIGNALS_SECRET", "").strip()
            accepted, duplicates = asyncio.run(signals_import.through_server(path, args.url, secret))
        else:
            accepted, duplicates = asyncio.run(signals_import.into_database(path, env, print))
    except (signals_import.BadFile, OSError) as error:
        print(f"nothing imported: {error}", file=sys.stderr)
        return 2
    print(f"{accepted} signal(s) imported, {duplicates} already known")
    return 0


def _named(what: str, example: str) -> Callable[[str], str]:
    """An argparse type for `console --as` / `--in`: the checks of `/as` and `/in`, so nobody speaks as ''."""

    def check(typed: str) -> str:
        from adapters.console.session import conversation_named, person_named

        found = person_named(typed) if what == "person" else conversation_named(typed)
        if found is None:
            raise argparse.ArgumentTypeError(f"not a {what}: give one name, e.g. {example}")
        return found

    return check


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="crisisbot", description="Cross-team crisis coordination on Slack, Teams and the console."
    )
    commands = root.add_subparsers(dest="command", required=True)

    console = commands.add_parser("console", help="chat with the bot in this terminal (no chat account needed)")
    console.add_argument("--as", dest="as_", default="me", metavar="PERSON", type=_named("person", "alice"),
                         help="who speaks first (default: me)")
    console.add_argument("--in", dest="in_", default="general", metavar="CONVERSATION",
                         type=_named("conversation", "press-room"), help="where (default: general)")
    console.add_argument("--lang", choices=("en", "fr"), help="reply language (default: CRISISBOT_LANGUAGE or en)")
    console.set_defaults(run=_console)

    serve = commands.add_parser("serve", help="run the HTTP server for Slack and Teams, with the scheduler")
    serve.add_argument("--port", type=int, help="port (default: $PORT or 3000)")
    serve.add_argument("--host", help="interface to bind (default: 0.0.0.0)")
    serve.add_argument("--public", action="store_true",
                       help="listen on every interface even without MICROSOFT_APP_ID, and serve /metrics to every host")
    serve.set_defaults(run=_serve)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the migrations to DATABASE_URL").set_defaults(run=_db_upgrade)

    listed = commands.add_parser("list", help="list open incidents (--all or --status for the others)")
    which = listed.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="every incident, resolved ones included, newest first")
    which.add_argument("--status", choices=STATUSES, help="only incidents with that status")
    listed.set_defaults(run=_list)

    export = commands.add_parser("export", help="write an incident's post-incident report in Markdown")
    export.add_argument("key", help="incident key, e.g. CRI-12")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.add_argument("--lang", choices=("en", "fr"), help="report language")
    export.add_argument("--format", choices=("md", "html"), default="md",
                        help="md (default) or html: one self-contained page with the timeline drawn, to print to PDF")
    export.set_defaults(run=_export)

    signals = commands.add_parser("signals", help="the weak-signal watch")
    signals_commands = signals.add_subparsers(dest="signals_command", required=True)
    importing = signals_commands.add_parser("import", help="load signals from a file, one JSON object a line")
    importing.add_argument("file", help="a .jsonl file: {\"text\": ..., \"source\": ..., \"reach\": ...} a line")
    importing.add_argument("--url", help="a running crisisbot server to send them to (POST /signals), e.g. "
                           "http://127.0.0.1:3000; default: straight into DATABASE_URL")
    importing.set_defaults(run=_signals_import)
    templates = commands.add_parser("templates", help="holding statements kept in a YAML file")
    template_commands = templates.add_subparsers(dest="templates_command", required=True)
    imported = template_commands.add_parser("import", help="propose the templates of a YAML file (all or none)")
    imported.add_argument("file")
    imported.add_argument("--as", dest="as_", default="crisisbot-import", help="who proposes them (not an approver)")
    imported.add_argument("--lang", default=None)
    imported.set_defaults(run=_templates_import)
    exported = template_commands.add_parser("export", help="write the templates in use as YAML")
    exported.add_argument("--out", default=None)
    exported.set_defaults(run=_templates_export)

    package = commands.add_parser("teams-package", help="build the Teams app package (zip) to upload")
    package.add_argument("--out", default="crisisbot-teams.zip", help="zip file to write")
    package.set_defaults(run=_teams_package)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CrisisError as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        from adapters.server import StartupError

        if isinstance(error, StartupError):
            print(f"crisisbot cannot start: {error}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
