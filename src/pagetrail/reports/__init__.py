"""Pure rendering of reports: JSON (the contract), Markdown and styled terminal text."""
