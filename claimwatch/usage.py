"""Usage errors as one line on stderr with exit code 2, for every command and option type.

Typer renders a bad option value (an enum choice, say) as a multi-line box; the house rule is
`claimwatch: <what was wrong>` on one line, whatever the option type.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

from typer import TyperException
from typer.core import TyperGroup
from typer.exceptions import Abort

# "'vibes' is not one of 'text', 'claims'." (pydantic may prefix "Value error, ")
_NOT_ONE_OF = re.compile(r"(?P<value>'[^']*') is not one of (?P<choices>.*?)\.?$")


def one_line(error: TyperException) -> str:
    """The error as one line: `unknown kind 'vibes'; choose from text, claims, …` for choices."""
    message = " ".join(error.format_message().split())
    param = getattr(error, "param", None)
    if param is not None and type(error).__name__ != "MissingParameter":
        name = (param.name or "value").replace("_", " ")
        match = _NOT_ONE_OF.search(message)
        if match:
            choices = match.group("choices").replace("'", "")
            return f"unknown {name} {match.group('value')}; choose from {choices}"
        return f"invalid {name}: {message.removeprefix('Value error, ')}"
    context = getattr(error, "ctx", None)
    where = f" (see `{context.command_path} --help`)" if context is not None else ""
    return message + where


class OneLineErrors(TyperGroup):
    """A Typer group whose usage errors print `claimwatch: …` on one line and exit 2."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; format Typer's usage errors ourselves when running standalone."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except TyperException as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # no arguments: the help, as usual
                print(error.format_message(), file=sys.stderr)
            else:
                print(f"claimwatch: {one_line(error)}", file=sys.stderr)
            sys.exit(error.exit_code)
        except Abort:
            print("claimwatch: aborted", file=sys.stderr)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)
