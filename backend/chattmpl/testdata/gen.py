#!/usr/bin/python3
"""Renders every chat template in a directory with Python's jinja2, the way
Hugging Face transformers' apply_chat_template sets jinja2 up (sandboxed
environment, trim_blocks, lstrip_blocks, loop controls, a tojson that keeps
non-ASCII text and key order, raise_exception and strftime_now globals),
for the conversations in conversations.json.

Usage (Debian's interpreter, which has python3-jinja2):
    /usr/bin/python3 gen.py TEMPLATE_DIR OUT_DIR

For each template T.jinja that renders, OUT_DIR gets T.jinja (a copy) and
T.<conversation>.out (the exact rendered text); a template that jinja2
cannot render for a conversation gets T.<conversation>.err holding the
error, and is left out of the byte-for-byte comparison.
"""
import json
import os
import shutil
import sys
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

# A fixed clock so outputs that print today's date are reproducible.
FIXED_NOW = datetime(2026, 3, 14, 15, 9, 26)


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent,
                      separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return FIXED_NOW.strftime(fmt)


class Generation(Extension):
    """{% generation %}...{% endgeneration %}: transformers marks the
    assistant's part with it; for rendering it only outputs its body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.Scope(body, lineno=lineno)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                       extensions=[loopcontrols, Generation])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    src, out = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "conversations.json"), encoding="utf-8") as f:
        convs = json.load(f)
    env = environment()
    os.makedirs(out, exist_ok=True)
    ok = 0
    for name in sorted(os.listdir(src)):
        if not name.endswith(".jinja"):
            continue
        base = name[: -len(".jinja")]
        with open(os.path.join(src, name), encoding="utf-8") as f:
            text = f.read()
        results = {}
        for conv in convs:
            try:
                tmpl = env.from_string(text)
                results[conv["name"]] = ("out", tmpl.render(
                    messages=conv["messages"], tools=conv.get("tools"),
                    add_generation_prompt=conv["add_generation_prompt"],
                    bos_token=conv["bos_token"], eos_token=conv["eos_token"]))
            except Exception as e:  # any failure: recorded, not compared
                results[conv["name"]] = ("err", "%s: %s" % (type(e).__name__, e))
        if all(kind == "err" for kind, _ in results.values()):
            print("skip %s: %s" % (name, next(iter(results.values()))[1]))
            continue
        shutil.copyfile(os.path.join(src, name), os.path.join(out, name))
        for conv_name, (kind, body) in results.items():
            with open(os.path.join(out, "%s.%s.%s" % (base, conv_name, kind)),
                      "w", encoding="utf-8", newline="") as f:
                f.write(body)
            ok += kind == "out"
    print("%d renders written" % ok)


if __name__ == "__main__":
    main()
