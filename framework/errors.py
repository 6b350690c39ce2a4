"""One error type for problems a user must read in Thai and English (what, where, how to fix)."""

from __future__ import annotations


class BilingualError(ValueError):
    """A refused input or failed step, with its message in both languages (str() is the English)."""

    def __init__(self, th: str, en: str, detail: str = ""):
        super().__init__(en)
        self.th, self.en, self.detail = th, en, detail

    def message(self, lang: str) -> str:
        """The message in `lang` ("th" or "en"), with any technical detail after a blank line."""
        text = self.en if lang == "en" else self.th
        return text + (f"\n\n{self.detail}" if self.detail else "")
