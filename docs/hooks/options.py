"""MkDocs hook: writes the training-options page from the config fields' metadata (help, default, allowed
values), so the page cannot drift from the code (`seqtk train <task> --help-config` shows the same)."""

import html

PLACEHOLDER = "<!-- options -->"


def options_markdown():
    from seqtk.tasks import get_task, task_names
    from seqtk.training.config import describe_options

    parts = []
    for name in task_names():
        parts += [f"## `{name}`", "", f"`seqtk train {name} --help-config` prints this list.", "",
                  "| key | default | takes | what it does |", "|---|---|---|---|"]
        for row in describe_options(get_task(name).config_class):
            default = repr(row["default"]).replace("|", "\\|")  # a code span: Markdown escapes it
            allowed = html.escape(row["allowed"] or row["type"], quote=False).replace("|", "\\|")
            help_text = html.escape(row["help"], quote=False).replace("|", "\\|")
            parts.append(f"| `{row['key']}` | `{default}` | {allowed} | {help_text} |")
        parts.append("")
    return "\n".join(parts)


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri == "options.md":
        return markdown.replace(PLACEHOLDER, options_markdown())
    return markdown
