"""HTML pieces of ``report.html``: escaping, tables, embedded figures, the style sheet.

Everything the page needs is inside it: figures are PNG data URIs and the
style sheet is inline, so the page opens offline and fetches nothing. Every
value passes through :func:`esc` on its way into the page.
"""

import base64
import html
import io
import json
import math

import numpy as np

CSS = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0969da;
        --band: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: var(--fg); background: #fff; }
header { padding: 20px 32px 12px; border-bottom: 1px solid var(--line); background: var(--band); }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: var(--muted); }
nav { padding: 8px 32px; border-bottom: 1px solid var(--line); font-size: 14px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 16px; }
main { padding: 8px 32px 32px; max-width: 1400px; }
section { margin-top: 24px; }
h2 { font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
table { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 3px 10px; text-align: left;
         vertical-align: top; }
th { background: var(--band); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 16px; min-width: 140px; }
.card .value { font-size: 24px; font-weight: 600; }
.card .label { color: var(--muted); font-size: 13px; }
.bar { background: var(--accent); height: 10px; border-radius: 2px; min-width: 1px; }
figure { margin: 12px 0; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; max-width: 900px; }
.note { color: var(--muted); }
code { background: var(--band); padding: 1px 4px; border-radius: 3px; }
details { margin: 4px 0; font-size: 13px; }
footer { padding: 12px 32px; color: var(--muted); font-size: 13px;
         border-top: 1px solid var(--line); }
"""


def esc(value):
    """``value`` as text, HTML-escaped (quotes included)."""
    return html.escape(fmt(value), quote=True)


def fmt(value):
    """Plain text for a metrics value: numbers rounded, lists joined, None as a dash."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None:
        return "\u2014"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.3e}"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt(v) for v in value) if value else "\u2014"
    if isinstance(value, dict):
        return json.dumps(value, default=str)
    return str(value)


def data_uri(png):
    """A PNG's bytes as a ``data:`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def figure_png(figure, dpi=100):
    """Render a matplotlib figure to PNG bytes and close it."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        figure.savefig(buf, format="png", dpi=dpi)
    finally:
        plt.close(figure)
    return buf.getvalue()


def figure(png, alt, caption=None, *, id=None):
    """An embedded PNG with its caption (``caption`` is HTML, already escaped)."""
    attr = f' id="{esc(id)}"' if id else ""
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure{attr}><img src="{data_uri(png)}" alt="{esc(alt)}">{cap}</figure>'


def table(rows, header=None, *, numeric=(), raw=()):
    """A table; cells are escaped, except the columns in ``raw`` (HTML given)."""
    out = ["<table>"]
    if header:
        out.append("<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>")
    for row in rows:
        cells = []
        for j, cell in enumerate(row):
            text = cell if j in raw else esc(cell)
            cls = ' class="num"' if j in numeric else ""
            cells.append(f"<td{cls}>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "".join(out)


def key_values(mapping):
    """A two-column table of a dict's items (``key`` / value)."""
    return table([(k.replace("_", " "), v) for k, v in mapping.items()], numeric=())


def cards(items):
    """Big numbers with their labels: ``[(label, value), ...]``, each card with an
    ``id`` made of its label (``metric-clustering-accuracy``)."""
    def slug(label):
        return "metric-" + "-".join(label.lower().split())

    return '<div class="cards">' + "".join(
        f'<div class="card" id="{esc(slug(k))}"><div class="value">{esc(v)}</div>'
        f'<div class="label">{esc(k)}</div></div>'
        for k, v in items
    ) + "</div>"


def section(id, title, body):
    """A titled section (``body`` is HTML)."""
    return f'<section id="{esc(id)}"><h2>{esc(title)}</h2>{body}</section>'


def page(title, subtitle, sections, footer):
    """The whole document: inline style sheet, a table of contents, the sections."""
    nav = "".join(f'<a href="#{esc(sid)}">{esc(name)}</a>' for sid, name, _ in sections)
    body = "".join(section(sid, name, html_) for sid, name, html_ in sections)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{esc(title)}</h1><p>{esc(subtitle)}</p></header>"
        f"<nav>{nav}</nav><main>{body}</main><footer>{esc(footer)}</footer>"
        "</body></html>\n"
    )
