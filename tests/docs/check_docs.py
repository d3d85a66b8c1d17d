"""Fails when a document names something that does not exist.

Usage: check_docs.py SOURCE_DIR SKYPECONNECT_BINARY [--man-complete]

With --man-complete it checks the other direction instead: that the man page
names every option and subcommand the program has.

Documents: README.md, docs/*.md, examples/**/README*, and the man page
(docs/man/skypeconnect.1, options and commands only); in the READMEs under
bench/, tests/ and scripts/ (tools with options of their own) only paths and
`skypeconnect ...` command lines. Checked:

  * repository paths: Markdown link targets, and code spans or code-block
    words that look like a path into the repository (their first component is
    a file or folder at the top of the source tree), resolved against the
    source tree (and, for links, the document's folder); a bare `NAME.md`
    must be a file somewhere in the tree;
  * options: every --option after `skypeconnect` in a shell line or code span,
    and every code span that is only an option (`--log debug`), must be an
    option of the command;
  * subcommands: the word after `skypeconnect` in a shell line or code span;
  * standard-input commands: in a paragraph, list item or table row that
    mentions standard input (or stdin), every code span shaped like a command
    (`dial GW NUMBER`, `quit`) must start with a command `run` or `trunk`
    reads.

What exists is taken from the program itself, never from a list kept here:
the help output of `skypeconnect --help` and of each subcommand (whatever it
exits with), plus the option and command strings in the command's sources
(cli/, any depth).
"""
import glob
import os
import re
import subprocess
import sys

SRC = os.path.abspath(sys.argv[1])
CLI = sys.argv[2]

problems = []


def problem(doc, line, text):
    problems.append("%s:%d: %s" % (os.path.relpath(doc, SRC), line, text))


# ---------------------------------------------------------------- what exists
def help_text():
    out = []
    for args in (["--help"], ["help"], ["run", "--help"], ["check", "--help"], ["demo", "--help"],
                 ["trunk", "--help"]):
        try:
            p = subprocess.run([CLI] + args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               timeout=20)
            out.append(p.stdout + "\n" + p.stderr)
        except (OSError, subprocess.TimeoutExpired) as e:
            sys.exit("cannot run %s %s: %s" % (CLI, " ".join(args), e))
    return "\n".join(out)


def cli_sources():
    text = []
    for path in glob.glob(os.path.join(SRC, "cli", "**", "*.[ch]"), recursive=True):
        with open(path, encoding="utf-8", errors="replace") as f:
            text.append(f.read())
    return "\n".join(text)


HELP = help_text()
SOURCES = cli_sources()
if "usage" not in HELP:
    sys.exit("skypeconnect --help printed no usage:\n" + HELP)

OPTION_RE = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
OPTIONS = set(OPTION_RE.findall(HELP)) | set(re.findall(r'"(--[a-z][a-z0-9-]*)', SOURCES))
# subcommands: "skypeconnect WORD" in the usage, and argv[1] comparisons in main
# (subcommands may have a hyphen inside: edge-config)
SUBCOMMANDS = set(re.findall(r"skypeconnect ([a-z]+(?:-[a-z]+)*)", HELP))
SUBCOMMANDS |= set(re.findall(r'strcmp\(argv\[1\], "([a-z]+(?:-[a-z]+)*)"\)', SOURCES))
# standard-input commands: the words of the help's "Commands on standard input:"
# sentences, and every lowercase word the sources compare or print as a string
STDIN = set()
for m in re.finditer(r"[Cc]ommands on standard input:(.*?)(?:\.\s*\n|\.$|\n\s*\n)", HELP, re.S):
    STDIN |= set(re.findall(r"(?:^|[\s,|])([a-z]+)(?=[\s,|.]|$)", m.group(1)))
STDIN |= set(re.findall(r'strcmp\(\w+, "([a-z]+)"\)', SOURCES))
for required, what in ((OPTIONS, "options"), (SUBCOMMANDS, "subcommands"), (STDIN, "stdin commands")):
    if not required:
        sys.exit("found no %s in the help output or cli/ sources" % what)

TOP = set(os.listdir(SRC)) - {".git"}
IGNORED_TOP = {"build"}                    # build trees: made, not shipped
BUILD_DIR_RE = re.compile(r"^build[\w.-]*$")
ALL_BASENAMES = set()
for root, dirs, files in os.walk(SRC):
    dirs[:] = [d for d in dirs if d != ".git" and not BUILD_DIR_RE.match(d)]
    ALL_BASENAMES.update(files)


# ---------------------------------------------------------------- documents
def documents():
    docs = [os.path.join(SRC, "README.md")]
    docs += sorted(glob.glob(os.path.join(SRC, "docs", "*.md")))
    docs += sorted(glob.glob(os.path.join(SRC, "examples", "**", "README*"), recursive=True))
    docs = [(d, True) for d in docs]
    # READMEs of tools with options and line protocols of their own (bench/run,
    # the bench drivers): only their paths and `skypeconnect ...` lines
    for top in ("bench", "tests", "scripts"):
        docs += [(d, False) for d in sorted(glob.glob(os.path.join(SRC, top, "**", "README*"), recursive=True))]
    return [(d, scope) for d, scope in docs if os.path.isfile(d)]


def blocks(text):
    """Yields (line number, kind, text) for each unit of a Markdown document:
    kind "code:LANG" for a line inside a fenced or indented code block,
    "para" for a paragraph, list item or table row (joined lines)."""
    lines = text.split("\n")
    fence = None
    para, para_start = [], 0
    for i, line in enumerate(lines, 1):
        m = re.match(r"^\s*(```+|~~~+)\s*([\w+-]*)", line)
        if fence is None and m:
            if para:
                yield para_start, "para", " ".join(para)
                para = []
            fence = (m.group(1), m.group(2) or "")
            continue
        if fence is not None:
            if line.strip().startswith(fence[0]):
                fence = None
            else:
                yield i, "code:" + fence[1], line
            continue
        if line.startswith("    ") and not para:
            yield i, "code:", line
            continue
        starts_item = re.match(r"^\s*([-*+]|\d+\.|\|)\s", line) or line.startswith("|")
        if not line.strip() or starts_item or line.startswith("#"):
            if para:
                yield para_start, "para", " ".join(para)
                para = []
            if not line.strip():
                continue
        if not para:
            para_start = i
        para.append(line)
        if line.startswith("#"):
            yield para_start, "para", " ".join(para)
            para = []
    if para:
        yield para_start, "para", " ".join(para)


SHELL_LANGS = {"", "sh", "bash", "shell", "console", "text"}
CODE_SPAN_RE = re.compile(r"(`+)(.+?)\1")
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
# in running text: NAME.md, and words with a slash (checked only when they
# start with a top-level entry of the tree)
PROSE_PATH_RE = re.compile(r"(?<![\w/.-])(?:[\w-]+\.md|[\w.-]+(?:/[\w.-]+)+/?)(?![\w/-])")
ENV_RE = re.compile(r"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+")


def check_command_line(doc, ln, text):
    """A shell command line: checks every `skypeconnect ...` command in it."""
    for segment in re.split(r"\s*(?:&&|\|\||[|;&()]|\$\(|#\s)\s*", text):
        segment = ENV_RE.sub("", segment.strip())
        words = segment.split()
        if not words:
            continue
        if words[0] in ("sudo", "exec", "time", "valgrind", "gdb", "nice") and len(words) > 1:
            words = words[1:]
        if os.path.basename(words[0]) != "skypeconnect":
            continue
        args = words[1:]
        if args and not args[0].startswith("-") and args[0] not in SUBCOMMANDS:
            problem(doc, ln, "`skypeconnect %s`: no such subcommand (known: %s)"
                    % (args[0], ", ".join(sorted(SUBCOMMANDS))))
        for a in args:
            for opt in OPTION_RE.findall(a.split("=")[0]) if a.startswith("--") else []:
                if opt not in OPTIONS:
                    problem(doc, ln, "`%s`: skypeconnect has no option %s" % (segment, opt))


def check_path(doc, ln, token, link=False):
    token = token.strip("<>\"',.;:")
    token = token.split("#")[0].split("?")[0]
    if not token or re.match(r"^[a-z]+:", token) or token.startswith(("/", "~", "$", "-")):
        return
    if any(c in token for c in "{}<>|=*?[]") or " " in token:
        return
    if "/" not in token:
        if token.endswith(".md") and token not in ALL_BASENAMES and not link:
            problem(doc, ln, "`%s`: no such file in the repository" % token)
        elif link and not os.path.exists(os.path.join(os.path.dirname(doc), token)):
            problem(doc, ln, "link to `%s`: no such file" % token)
        return
    first = token.split("/")[0]
    candidates = []
    if link:
        candidates.append(os.path.normpath(os.path.join(os.path.dirname(doc), token)))
    if first in TOP and first not in IGNORED_TOP and not BUILD_DIR_RE.match(first):
        candidates.append(os.path.join(SRC, token))
    elif not link:
        return                                  # not a path into the repository
    if not any(os.path.exists(c) for c in candidates):
        problem(doc, ln, "`%s`: no such file or folder in the repository" % token)


STDIN_SPAN_RE = re.compile(r"^([a-z]+)((\s+([A-Z][A-Z0-9_]*|\[[A-Z][A-Z0-9_ ]*\]|[a-z-]+(\|[a-z-]+)+))*)$")


def check_doc(doc, text=None, cli_doc=True):
    if text is None:
        with open(doc, encoding="utf-8") as f:
            text = f.read()
    for ln, kind, body in blocks(text):
        if kind.startswith("code:"):
            lang = kind[5:]
            if lang in SHELL_LANGS:
                check_command_line(doc, ln, body.lstrip("$ "))
                for word in body.split():
                    if "/" in word:
                        check_path(doc, ln, word)
            continue
        for m in LINK_RE.finditer(body):
            check_path(doc, ln, m.group(1), link=True)
        prose = LINK_RE.sub("", CODE_SPAN_RE.sub(" ", body))
        for m in PROSE_PATH_RE.finditer(prose):
            check_path(doc, ln, m.group(0))
        # the stdin check looks at one sentence (or table cell) at a time
        for sentence in re.split(r"(?<=[.;])\s+(?=[A-Z`])|\s\|\s", body):
            spans = [m.group(2).strip() for m in CODE_SPAN_RE.finditer(sentence)]
            stdin_context = re.search(r"standard input|\bstdin\b", sentence, re.I)
            for span in spans:
                check_span(doc, ln, span, stdin_context, cli_doc)


def check_span(doc, ln, span, stdin_context, cli_doc):
    check_path(doc, ln, span)
    if re.match(r"^(\S+/)?skypeconnect(\s+[a-z-]+(\s|$)|$)", ENV_RE.sub("", span)):
        check_command_line(doc, ln, span)
    elif not cli_doc:
        return
    elif span.startswith("--"):
        opt = OPTION_RE.match(span)
        if opt and opt.group(0) not in OPTIONS:
            problem(doc, ln, "`%s`: skypeconnect has no option %s" % (span, opt.group(0)))
    elif stdin_context:
        m = STDIN_SPAN_RE.match(span)
        if m and m.group(1) not in STDIN and m.group(1) not in SUBCOMMANDS:
            problem(doc, ln, "`%s`: no such command on standard input (known: %s)"
                    % (span, ", ".join(sorted(STDIN))))


def check_man(path):
    """The man page: every option it names, and every subcommand after
    `skypeconnect`, must exist."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for ln, line in enumerate(text.split("\n"), 1):
        plain = re.sub(r"\\f[BIRP]|\\f\(..|\\&", "", line).replace("\\-", "-")
        for opt in OPTION_RE.findall(plain):
            if opt not in OPTIONS:
                problem(path, ln, "skypeconnect has no option %s" % opt)
        m = re.match(r"^\.(?:B|SS|TP)?\s*skypeconnect\s+([a-z]+(?:-[a-z]+)*)", plain)
        if m and m.group(1) not in SUBCOMMANDS:
            problem(path, ln, "no such subcommand: %s" % m.group(1))


def self_test():
    """The checker must find what it is for: a broken document yields one
    problem per bad name, a good one none."""
    bad = """# Bad
See [the notes](no-such-notes.md) and `docs/no-such-page.md`, or DESIGN-NOTES.md and
tests/no-such-dir/x.py.

```sh
skypeconnect frobnicate skype.xml
skypeconnect run --gateway x.xml --no-such-option
```

Pass `--bogus-flag` to it. `run` reads commands on standard input: `teleport GW`.
"""
    good = """# Good
See [the README](README.md), `docs/troubleshooting.md`, examples/conf/skype.xml and
README.md; FreeSWITCH's conf/sip_profiles/external/skype.xml is not ours.

```sh
TPORT_LOG=1 skypeconnect run --gateway examples/conf/skype.xml --json --log debug 2> sip.log
skypeconnect check examples/conf/skype.xml examples/conf/dialplan
cmake --build build --target docs
```

`--inbound-acl` widens it; `skypeconnect trunk --listen 127.0.0.1:5070`.
Commands on standard input: `status`, `dial GW NUMBER`, `quit`.
"""
    global problems
    saved, problems = problems, []
    check_doc(os.path.join(SRC, "SELFTEST-bad.md"), bad)
    found_bad = problems
    problems = []
    check_doc(os.path.join(SRC, "SELFTEST-good.md"), good)
    found_good = problems
    problems = saved
    expect = ["no-such-notes.md", "docs/no-such-page.md", "DESIGN-NOTES.md", "tests/no-such-dir/x.py",
              "frobnicate", "--no-such-option", "--bogus-flag", "teleport"]
    missed = [e for e in expect if not any(e in p for p in found_bad)]
    if missed or found_good:
        sys.exit("self-test failed: missed %s; problems in the good document: %s\nfound: %s"
                 % (missed, found_good, found_bad))


if len(sys.argv) > 3 and sys.argv[3] == "--man-complete":
    # the other way round: the man page names every option and subcommand
    man = os.path.join(SRC, "docs", "man", "skypeconnect.1")
    with open(man, encoding="utf-8") as f:
        plain = re.sub(r"\\f[BIRP]|\\f\(..|\\&", "", f.read()).replace("\\-", "-")
    named = set(OPTION_RE.findall(plain))
    missing = sorted(OPTIONS - named) + sorted(c for c in SUBCOMMANDS if not re.search(r"\b%s\b" % c, plain))
    if missing:
        sys.exit("docs/man/skypeconnect.1 does not describe: %s" % ", ".join(missing))
    print("the man page names all %d options and %d subcommands" % (len(OPTIONS), len(SUBCOMMANDS)))
    sys.exit(0)

self_test()
docs = documents()
for d, cli_doc in docs:
    check_doc(d, cli_doc=cli_doc)
man = os.path.join(SRC, "docs", "man", "skypeconnect.1")
if os.path.exists(man):
    check_man(man)
print("checked %d documents against %d options, %d subcommands, %d stdin commands"
      % (len(docs) + os.path.exists(man), len(OPTIONS), len(SUBCOMMANDS), len(STDIN)))
if problems:
    print("\n".join(problems))
    print("%d problem(s)" % len(problems))
    sys.exit(1)
