"""The development e-mail back-end: e-mails printed in the terminal of `make run`, readable.

Django's console back-end prints the message as sent on the wire: a body with any accented
letter or curly quote is quoted-printable, so a password reset link is cut in the middle by
"=" line breaks and cannot be followed. This one prints the headers a developer reads and the
body as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

if TYPE_CHECKING:
    from django.core.mail import EmailMessage


class ReadableConsoleBackend(ConsoleEmailBackend):
    def write_message(self, message: EmailMessage) -> None:
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            str(message.body),
        ]
        self.stream.write("\n".join(lines) + "\n")
        self.stream.write("-" * 79 + "\n")
