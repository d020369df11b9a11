"""The chat session behind `gitbench chat`: its loop, slash commands and consent prompt.
Imported only when chat runs, so that `gitbench --help` does not pay for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gitbench.cli import render
from gitbench.cli.app import stdin_is_terminal
from gitbench.cli.render import escape
from gitbench.cli.workshop import TurnStream, clutter_line, show_turn
from gitbench.errors import ErrorCode, GitbenchError

if TYPE_CHECKING:
    from rich.console import Console

    from gitbench.config import Environment
    from gitbench.services.consent import SessionConsent
    from gitbench.services.models import AskResult, ChatFailure
    from gitbench.store.repo import Workbench

NEXT = (
    "Next: [cyan]/review[/] · [cyan]/publish[/] · [cyan]/undo[/] · [cyan]/discard[/]"
    " · or say what to change"
)
HELP = """Type what you want done; the model's changes arrive on the draft for review.
  /model ID   use another model for the following turns (e.g. /model anthropic:claude-sonnet-4-5)
  /review     the draft's changes, file by file
  /publish    make the draft the published copy (a checkpoint is taken first)
  /undo       drop the draft's last commit (the last turn's changes)
  /discard    throw the draft away (gitbench discard --undo brings it back)
  /status     the workbench: draft, checkpoints, model, clutter
  /help       this list
  /quit       leave (Ctrl-D too); Ctrl-C only stops the turn in progress"""


@dataclass
class ChatSession:
    """One session: the model in use, the consent it holds, and what happened, for --json."""

    wb: Workbench
    env: Environment
    out: Console
    quiet: bool  # --json: no prompts and no human output; the document comes at the end
    model: str | None
    session: SessionConsent = frozenset()
    turns: list[AskResult] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)
    failures: list[ChatFailure] = field(default_factory=list)

    def run(self, *, grant_first: bool) -> None:
        from gitbench.services.consent import consent_key

        if stdin_is_terminal():
            import readline  # noqa: F401 - line editing and ↑ history for input()

        self._greet()
        if grant_first and self.model is not None:
            # --yes: the starting model, for the files as they are now; a scope or model
            # change asks again.
            self.session |= {consent_key(self.wb, self.model)}
        while True:
            line = self._read("you> ")
            if line is None:
                return
            line = line.strip()
            if not line:
                continue
            try:
                if line.startswith("/"):
                    if not self._command(line):
                        return
                else:
                    self._turn(line)
            except KeyboardInterrupt:
                self._say("[yellow]Canceled; nothing was changed. The session goes on.[/]")
            except GitbenchError as error:
                self._failed("turn" if not line.startswith("/") else line.split()[0], error)

    def _read(self, prompt: str) -> str | None:
        while True:
            try:
                line = input("" if self.quiet else prompt)
            except EOFError:
                return None
            except KeyboardInterrupt:
                self._say("\n[dim](Ctrl-C stops a turn; /quit or Ctrl-D leaves.)[/]")
                continue
            if not self.quiet and not stdin_is_terminal():
                # Piped in, the line was never echoed: show it, so the transcript reads well.
                self.out.print(line, markup=False, highlight=False)
            return line

    def _yes(self, question: str) -> bool:
        return (self._read(question) or "").lower() in ("y", "yes")

    def _say(self, text: str) -> None:
        if not self.quiet:
            self.out.print(text)

    def _greet(self) -> None:
        from gitbench.services.clutter import workbench_clutter
        from gitbench.services.conversation import read_entries

        clutter = workbench_clutter(self.wb, override=self.model)
        self.model = clutter.model
        if self.quiet:
            return
        said = sum(1 for e in read_entries(self.wb) if e.kind != "event")
        self._say(
            f"gitbench chat with [bold]{escape(self.model or 'no model')}[/]. /help lists the commands."
        )
        if said:
            self._say(f"[dim]Going on from {said} saved messages (gitbench conversation).[/]")
        clutter_line(self.out, clutter)

    def _turn(self, message: str) -> None:
        from gitbench.services.workshop import ask

        stream = TurnStream(self.out, quiet=self.quiet)
        try:
            result = ask(
                self.wb,
                message,
                env=self.env,
                model_override=self.model,
                session=self.session,
                on_text=stream.text,
                on_tool=stream.tool,
            )
        except GitbenchError as error:
            stream.close()  # the refusal is shown on lines of its own
            if self._consented(error):
                self._turn(message)
                return
            raise
        finally:
            stream.close()
        self.turns.append(result)
        if not self.quiet:
            show_turn(self.out, result, next_line=NEXT)

    def _consented(self, error: GitbenchError) -> bool:
        """At a consent refusal, offer this session's consent (or a lasting one) and say
        whether it was given; a scope change asks again, because its key differs."""
        from gitbench.services.consent import consent_needed, grant_consent, plan_grant

        key = consent_needed(error)
        if key is None or self.quiet:  # with --json, consent comes from --yes or beforehand
            return False
        plan = plan_grant(
            self.wb, provider=key.provider, model=key.model, persist=False, base_url=None
        )
        self._say(
            f"Sending {len(plan.files)} file(s) to {escape(plan.provider)}:{escape(plan.model)} "
            f"({escape(plan.label)}; {', '.join(plan.hosts)}) needs your consent."
        )
        answer = (self._read("Send them? [y]es for this session, [a]lways, [N]o: ") or "").lower()
        if answer in ("a", "always"):
            grant_consent(
                self.wb,
                provider=key.provider,
                model=key.model,
                persist=True,
                base_url=None,
                confirm=lambda _plan: None,  # the person just said yes to this very plan
            )
            return True
        if answer in ("y", "yes"):
            self.session |= {key}
            return True
        self._say("Nothing was sent.")
        return False

    def _failed(self, where: str, error: GitbenchError) -> None:
        from gitbench.services.models import ChatFailure

        self.failures.append(ChatFailure(input=where, code=error.code.value, message=error.message))
        if not self.quiet:
            render.error(error, as_json=False)
        if error.code is ErrorCode.USER_CANCELED:
            self._say("[dim]The session goes on.[/]")

    def _command(self, line: str) -> bool:
        """Run one slash command; False when the session should end."""
        name, _, argument = line.partition(" ")
        self.commands.append(name)
        handlers: dict[str, Callable[[str], None]] = {
            "/model": self._model,
            "/review": lambda _arg: self._review(),
            "/publish": lambda _arg: self._publish(),
            "/undo": lambda _arg: self._undo(),
            "/discard": lambda _arg: self._discard(),
            "/status": lambda _arg: self._status(),
            "/help": lambda _arg: self._say(escape(HELP)),
        }
        if name in ("/quit", "/exit"):
            return False
        handler = handlers.get(name)
        if handler is None:
            self._say(f"Unknown command {escape(name)}; /help lists them.")
        else:
            handler(argument.strip())
        return True

    def _model(self, model_id: str) -> None:
        from gitbench.services.clutter import workbench_clutter

        if not model_id:
            self._say(f"The model is {escape(self.model or 'not chosen')}; /model ID changes it.")
            return
        clutter = workbench_clutter(self.wb, override=model_id)  # refuses an unknown model
        self.model = model_id
        self._say(f"Now using [bold]{escape(model_id)}[/].")
        if not self.quiet:
            clutter_line(self.out, clutter)

    def _review(self) -> None:
        from gitbench.cli.drafts import _review
        from gitbench.services.review import review

        result = review(self.wb, with_patches=not self.quiet)
        if not self.quiet:
            _review(self.out, result)

    def _publish(self) -> None:
        from gitbench.cli.drafts import _published
        from gitbench.services.publish import publish

        def confirm_deletions(deleted: list[str]) -> bool:
            listing = ", ".join(deleted)
            self._say(f"The draft deletes: {escape(listing)}")
            return self._yes("Publish these deletions? [y/N]: ")

        result = publish(self.wb, confirm_deletions=confirm_deletions)
        if not self.quiet:
            _published(self.out, result)

    def _discard(self) -> None:
        from gitbench.services.drafts import discard
        from gitbench.services.session import require_draft

        require_draft(self.wb)  # NO_DRAFT before asking to confirm nothing
        if not self._yes("Discard the draft? [y/N]: "):
            self._say("Kept the draft.")
            return
        result = discard(self.wb)
        self._say(
            f"Discarded the draft; bring it back with [cyan]gitbench discard --undo[/] ({result.tip[:12]})."
        )

    def _undo(self) -> None:
        from gitbench.cli.workshop import _undone
        from gitbench.services.drafts import undo_last_commit

        result = undo_last_commit(self.wb)
        if not self.quiet:
            _undone(self.out, result)

    def _status(self) -> None:
        from gitbench.cli.workbench import _status
        from gitbench.services.workbench import status

        result = status(self.wb)
        if not self.quiet:
            _status(self.out, result)
